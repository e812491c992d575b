-- Community deliberation (议事协商, DESIGN §7): proposals of a community or village with their
-- hash-chained history, the meetings and published documents kept as rows for screens, and
-- residents' comments. A proposal's row, its event, its meeting or document row and the outbox
-- entry are written in one transaction.

CREATE TABLE proposal_serials (
    city TEXT NOT NULL,
    year BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (city, year)
);

CREATE TABLE proposals (
    city              TEXT NOT NULL,
    id                TEXT NOT NULL PRIMARY KEY,
    number            TEXT NOT NULL,
    area_code         TEXT NOT NULL,
    procedure_kind    TEXT NOT NULL,
    stage             TEXT NOT NULL,
    stage_index       BIGINT NOT NULL,
    status            TEXT NOT NULL,
    title             TEXT NOT NULL,
    origin_case_id    TEXT,
    origin_comment_id TEXT,
    proposer_user     TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    finished_at       BIGINT,
    last_seq          BIGINT NOT NULL,
    last_hash         TEXT NOT NULL,
    snapshot          TEXT NOT NULL
);
CREATE UNIQUE INDEX proposals_number ON proposals (number, city);
CREATE INDEX proposals_area ON proposals (area_code, updated_at);
-- One proposal per case and per comment (several NULLs are allowed on both engines).
CREATE UNIQUE INDEX proposals_origin_case ON proposals (origin_case_id);
CREATE UNIQUE INDEX proposals_origin_comment ON proposals (origin_comment_id);

CREATE TABLE proposal_events (
    city        TEXT NOT NULL,
    proposal_id TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor_user  TEXT,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (proposal_id, seq)
);

-- Each meeting as recorded (attendees and observers as JSON lists of what the clerk typed), with
-- the rule it was counted by and whether the motion passed.
CREATE TABLE proposal_meetings (
    city          TEXT NOT NULL,
    proposal_id   TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    stage         TEXT NOT NULL,
    body          TEXT NOT NULL,
    held_at       BIGINT NOT NULL,
    members_total BIGINT NOT NULL,
    present       BIGINT NOT NULL,
    attendees     TEXT NOT NULL,
    observers     TEXT NOT NULL,
    votes_for     BIGINT NOT NULL,
    votes_against BIGINT NOT NULL,
    votes_abstain BIGINT NOT NULL,
    quorum_needed BIGINT NOT NULL,
    votes_needed  BIGINT NOT NULL,
    passed        BIGINT NOT NULL,
    minutes       TEXT NOT NULL,
    recorded_by   TEXT,
    recorded_at   BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, seq)
);

CREATE TABLE proposal_documents (
    city         TEXT NOT NULL,
    proposal_id  TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT,
    PRIMARY KEY (proposal_id, seq)
);

CREATE TABLE proposal_comments (
    city            TEXT NOT NULL,
    id              TEXT NOT NULL PRIMARY KEY,
    proposal_id     TEXT NOT NULL,
    author_user     TEXT NOT NULL,
    author_name     TEXT NOT NULL,
    author_role     TEXT NOT NULL,
    text            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX proposal_comments_proposal ON proposal_comments (proposal_id, created_at);
