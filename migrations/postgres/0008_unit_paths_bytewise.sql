-- Subtrees are found as a range of unit paths (`path >= p AND path < p || '~'`, every
-- descendant's path starts with its ancestor's), which an index on the path serves. That
-- needs bytewise ordering: in a linguistic collation ('en_US.UTF-8' and the like) '/' is
-- ignored at the first level and '/1/20/' could sort between '/1/2/' and '/1/2/~'.
-- The unique index on the path is rebuilt with the column.
ALTER TABLE units ALTER COLUMN path TYPE TEXT COLLATE "C";
