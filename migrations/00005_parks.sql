-- +goose Up
-- Park siting (docs/design.md#park-siting): the suitability grid of each park-siting plan
-- (plan.kind = 'parks'), one row per hexagon, for the suitability map, its
-- GeoJSON export and vector tiles. Written once, in the transaction that
-- finishes the plan; like the plan, immutable afterwards.

CREATE TABLE park_cell (
  plan_id    uuid NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
  cell       text NOT NULL,                 -- ST_HexagonGrid indices "i_j"
  class      text NOT NULL CHECK (class IN ('high','good','moderate','low','excluded')),
  score      double precision CHECK (score BETWEEN 0 AND 1), -- NULL when excluded
  township   text,                          -- region code holding most of the cell
  properties jsonb NOT NULL,                -- criteria values, reasons (GeoJSON properties)
  geom       geometry(MultiPolygon, 4326) NOT NULL,
  PRIMARY KEY (plan_id, cell),
  CHECK ((class = 'excluded') = (score IS NULL))
);
CREATE INDEX park_cell_geom_idx ON park_cell USING gist (geom);

-- Cells of a finished plan cannot change. A cascade from deleting the plan
-- no longer sees the plan row, so it passes.
-- +goose StatementBegin
CREATE FUNCTION coldchain_park_cell_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
  SELECT status INTO st FROM plan WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.plan_id ELSE NEW.plan_id END;
  IF st IN ('done','failed') THEN
    RAISE EXCEPTION 'plan % is finished and its cells cannot change', coalesce(NEW.plan_id, OLD.plan_id)
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER park_cell_immutable BEFORE INSERT OR UPDATE OR DELETE ON park_cell
  FOR EACH ROW EXECUTE FUNCTION coldchain_park_cell_immutable();

-- +goose Down
DROP TABLE park_cell;
DROP FUNCTION coldchain_park_cell_immutable;
