-- 0002: bodies imported from HAR arrive decoded (HAR stores the entity, not
-- the bytes as sent); these flags say so, so nobody decodes them twice.
ALTER TABLE flows ADD COLUMN req_body_decoded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN resp_body_decoded INTEGER NOT NULL DEFAULT 0;
