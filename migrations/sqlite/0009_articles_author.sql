-- The staff search reads a caller's own articles as a set (`news::search_repo::for_staff`):
-- an index on the author, so that set is found without reading every article.
CREATE INDEX articles_author ON articles(author_id);
