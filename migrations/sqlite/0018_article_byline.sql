-- The writer's name as printed with the article (作者署名), which need not be an account:
-- an imported repost names its author in a byline.
ALTER TABLE articles ADD COLUMN byline TEXT;
