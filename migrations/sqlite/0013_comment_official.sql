-- Readers may now answer a comment on the article page, so "signed in" no longer means "an
-- editor or reviewer answering": a reply is marked official only when a moderator wrote it
-- through the moderation reply (`news::comments::reply`). Until now only moderators had a
-- reply form, so the signed-in replies already written are theirs.
ALTER TABLE article_comments ADD COLUMN official BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE article_comments SET official = TRUE WHERE parent_id IS NOT NULL AND account_id IS NOT NULL;
