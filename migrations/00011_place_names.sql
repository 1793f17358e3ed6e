-- +goose Up
-- coldchain_place_name names a point the way a planner would: by the
-- nearest village or town, with the direction and distance from it
-- ("2.3 km NE of Xiaping" / "下坪东北 2.3 公里"), or "near X" / "X附近"
-- within 300 m. Generated candidate sites take their names from it.
-- +goose StatementBegin
CREATE FUNCTION coldchain_place_name(p geometry, lang text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_name text;
  v_at geometry;
  km double precision;
  sector int;
BEGIN
  SELECT r.name, ST_PointOnSurface(r.geom) INTO v_name, v_at
    FROM region r
   WHERE r.level IN ('village', 'township') AND r.name <> ''
   ORDER BY r.level = 'township', r.geom <-> p
   LIMIT 1;
  IF v_name IS NULL THEN
    RETURN NULL;
  END IF;
  km := ST_Distance(v_at::geography, p::geography) / 1000;
  IF km < 0.3 THEN
    RETURN CASE WHEN lang = 'zh' THEN v_name || '附近' ELSE 'near ' || v_name END;
  END IF;
  sector := (round(degrees(ST_Azimuth(v_at, p)) / 45)::int) % 8;
  IF lang = 'zh' THEN
    RETURN v_name || (ARRAY['北','东北','东','东南','南','西南','西','西北'])[sector + 1] || ' ' || to_char(km, 'FM990.0') || ' 公里';
  END IF;
  RETURN to_char(km, 'FM990.0') || ' km ' || (ARRAY['N','NE','E','SE','S','SW','W','NW'])[sector + 1] || ' of ' || v_name;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION coldchain_place_name(geometry, text);
