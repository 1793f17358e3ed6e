-- +goose Up
-- coldchain_within(code, prefix): code lies within the region whose code
-- is prefix (code LIKE prefix || '%'), written as the range of byte order
-- that holds every such code, from prefix to prefix followed by the last
-- code point. The text_pattern_ops index on producer.region_code serves
-- that range whatever the prefix is: a column of another table, a
-- parameter of a generic plan, an element of an array. LIKE serves it only
-- for a constant pattern, so "region_code LIKE ANY ($1)" and
-- "region_code LIKE c.code || '%'" read the whole table: 370 ms at a
-- million producers, twice for each county part of a province plan, and
-- 21 s to share a province plan out by county.
--
-- A plain SQL function, neither STRICT nor VOLATILE, so that PostgreSQL
-- inlines it into the query and sees the range. Region codes are digits
-- (region_code_check); a code that went on past the prefix with the last
-- code point itself would fall outside the range.
CREATE FUNCTION coldchain_within(code text, prefix text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT code ~>=~ prefix AND code ~<~ (prefix || chr(1114111))
$$;

-- +goose Down
DROP FUNCTION coldchain_within(text, text);
