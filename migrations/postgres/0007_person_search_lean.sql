-- The name index is written in token order; a second index by person made every bulk
-- import write it in random order. A person's old tokens are now deleted by the primary
-- key (they are computed from the stored name), so this index is no longer read.
DROP INDEX person_search_person;
