-- Each claim of an identification run gets a token; progress and completion are accepted only
-- from the current claimant, so a worker that lost its claim (taken over as stale) stops.
ALTER TABLE identification_runs ADD COLUMN claim_token uuid;
