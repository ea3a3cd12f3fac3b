-- 0001: the first schema. Times are Unix nanoseconds (NULL when the event
-- did not happen); lists and structured values are JSON text.

CREATE TABLE sessions (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    started INTEGER NOT NULL,
    ended   INTEGER,
    source  TEXT    NOT NULL DEFAULT 'proxy',
    listen  TEXT    NOT NULL DEFAULT ''
);

CREATE TABLE flows (
    session_id          INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    id                  INTEGER NOT NULL,
    page_id             INTEGER NOT NULL DEFAULT 0,
    conn_id             INTEGER NOT NULL DEFAULT 0,
    conn_reused         INTEGER NOT NULL DEFAULT 0,
    kind                TEXT    NOT NULL DEFAULT 'http',
    resource_type       TEXT    NOT NULL DEFAULT '',
    client_addr         TEXT    NOT NULL DEFAULT '',
    mitm                INTEGER NOT NULL DEFAULT 0,
    method              TEXT    NOT NULL DEFAULT '',
    url                 TEXT    NOT NULL DEFAULT '',
    host                TEXT    NOT NULL DEFAULT '',
    proto               TEXT    NOT NULL DEFAULT '',
    req_headers         TEXT,
    req_header_size     INTEGER NOT NULL DEFAULT -1,
    req_body_size       INTEGER NOT NULL DEFAULT 0,
    req_body_truncated  INTEGER NOT NULL DEFAULT 0,
    status              INTEGER NOT NULL DEFAULT 0,
    status_text         TEXT    NOT NULL DEFAULT '',
    resp_proto          TEXT    NOT NULL DEFAULT '',
    resp_headers        TEXT,
    resp_trailers       TEXT,
    resp_header_size    INTEGER NOT NULL DEFAULT -1,
    resp_body_size      INTEGER NOT NULL DEFAULT 0,
    resp_body_truncated INTEGER NOT NULL DEFAULT 0,
    server_addr         TEXT    NOT NULL DEFAULT '',
    t_start             INTEGER,
    t_got_conn          INTEGER,
    t_wrote_request     INTEGER,
    t_first_byte        INTEGER,
    t_end               INTEGER,
    bytes_up            INTEGER NOT NULL DEFAULT 0,
    bytes_down          INTEGER NOT NULL DEFAULT 0,
    error_phase         TEXT,
    error_kind          TEXT,
    error_message       TEXT,
    PRIMARY KEY (session_id, id)
);

-- Bodies live apart from flows so that listing flows never reads them.
-- which: 0 = request body, 1 = response body.
CREATE TABLE bodies (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    flow_id    INTEGER NOT NULL,
    which      INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    PRIMARY KEY (session_id, flow_id, which)
);

CREATE TABLE conns (
    session_id      INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    id              INTEGER NOT NULL,
    host            TEXT    NOT NULL DEFAULT '',
    port            TEXT    NOT NULL DEFAULT '',
    remote_addr     TEXT    NOT NULL DEFAULT '',
    local_addr      TEXT    NOT NULL DEFAULT '',
    lookup_id       INTEGER NOT NULL DEFAULT 0,
    t_dns_start     INTEGER,
    t_dns_end       INTEGER,
    t_connect_start INTEGER,
    t_connect_end   INTEGER,
    t_tls_start     INTEGER,
    t_tls_end       INTEGER,
    t_closed        INTEGER,
    attempts        TEXT,
    tls             TEXT,
    error_phase     TEXT,
    error_kind      TEXT,
    error_message   TEXT,
    PRIMARY KEY (session_id, id)
);

CREATE TABLE lookups (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    server     TEXT    NOT NULL DEFAULT '',
    rcode      TEXT    NOT NULL DEFAULT '',
    cnames     TEXT,
    answers    TEXT,
    hops       TEXT,
    t_start    INTEGER,
    t_end      INTEGER,
    rtt_ns     INTEGER NOT NULL DEFAULT 0,
    error      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, id)
);

CREATE TABLE pages (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    id         INTEGER NOT NULL,
    parent_id  INTEGER NOT NULL DEFAULT 0,
    flow_id    INTEGER NOT NULL DEFAULT 0,
    url        TEXT    NOT NULL DEFAULT '',
    title      TEXT    NOT NULL DEFAULT '',
    t_start    INTEGER,
    PRIMARY KEY (session_id, id)
);

CREATE INDEX flows_by_page ON flows(session_id, page_id, id);
