-- The units a campaign is open to (征文面向单位): members holding a role at or below any of
-- them may submit. `campaigns.unit_id` stays the organising unit (主办单位), whose news
-- managers run the campaign; every open unit is at or below it. Campaigns made before this
-- were open to their organising unit's subtree, and stay so.
CREATE TABLE campaign_units (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (campaign_id, unit_id)
);
CREATE INDEX campaign_units_unit ON campaign_units(unit_id);
INSERT INTO campaign_units (campaign_id, unit_id) SELECT id, unit_id FROM campaigns;
