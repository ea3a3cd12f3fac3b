-- One of everything, as glassbox up to schema version 2 wrote it (with
-- the columns of version 1, so that it loads into either version).
-- TestOldDatabases reads it back and compares with the values it expects.
INSERT INTO sessions (id, started, ended, source, listen)
VALUES (7, 1700000000000000001, 1700000600000000002, 'proxy', '127.0.0.1:8080 [::1]:8080');

INSERT INTO flows (session_id, id, page_id, conn_id, conn_reused, kind, resource_type, client_addr, mitm,
    method, url, host, proto, req_headers, req_header_size, req_body_size, req_body_truncated,
    status, status_text, resp_proto, resp_headers, resp_trailers, resp_header_size,
    resp_body_size, resp_body_truncated, server_addr,
    t_start, t_got_conn, t_wrote_request, t_first_byte, t_end,
    bytes_up, bytes_down, error_phase, error_kind, error_message)
VALUES (7, 1, 2, 3, 1, 'http', 'document', '127.0.0.1:50000', 1,
    'POST', 'https://shop.test/cart?x=1', 'shop.test', 'HTTP/1.1',
    '[["Host","shop.test"],["Content-Type","application/json"]]', 81, 9, 1,
    200, 'OK', 'HTTP/2.0', '[["Content-Type","text/html"],["Set-Cookie","a=1"],["Set-Cookie","b=2"]]',
    '[["Grpc-Status","0"]]', 120,
    4096, 1, '127.0.0.1:443',
    1700000001000000000, 1700000001001000000, 1700000001002000000, 1700000001010000000, 1700000001012000000,
    11, 22, 'receive', 'truncated', 'unexpected EOF');

INSERT INTO bodies (session_id, flow_id, which, data) VALUES (7, 1, 0, X'7b2261223a317d');
INSERT INTO bodies (session_id, flow_id, which, data) VALUES (7, 1, 1, X'3c68746d6c3e');

INSERT INTO conns (session_id, id, host, port, remote_addr, local_addr, lookup_id,
    t_dns_start, t_dns_end, t_connect_start, t_connect_end, t_tls_start, t_tls_end, t_closed,
    attempts, tls, error_phase, error_kind, error_message)
VALUES (7, 3, 'shop.test', '443', '127.0.0.1:443', '127.0.0.1:50001', 4,
    1700000000100000000, 1700000000200000000, 1700000000300000000, 1700000000400000000,
    1700000000500000000, 1700000000600000000, 1700000009000000000,
    '[{"Addr":"[::1]:443","Start":"2023-11-14T22:13:20.3Z","End":"2023-11-14T22:13:20.35Z","Outcome":"refused","Error":"connection refused"},{"Addr":"127.0.0.1:443","Start":"2023-11-14T22:13:20.35Z","End":"2023-11-14T22:13:20.4Z","Outcome":"ok","Error":""}]',
    '{"Version":"TLS 1.3","Cipher":"TLS_AES_128_GCM_SHA256","ALPN":"h2","SNI":"shop.test","Resumed":true,"Chain":[{"Subject":"CN=shop.test","Issuer":"CN=glassbox test CA","DNSNames":["shop.test"],"NotBefore":"2023-01-01T00:00:00Z","NotAfter":"2024-01-01T00:00:00Z"}]}',
    'tls', 'handshake', 'remote error: tls: bad certificate');

INSERT INTO lookups (session_id, id, name, source, server, rcode, cnames, answers, hops, t_start, t_end, rtt_ns, error)
VALUES (7, 4, 'www.shop.test', 'trace', '127.0.0.2:53', 'NOERROR', '["shop.test"]',
    '[{"Type":"A","Addr":"127.0.0.1","TTL":60},{"Type":"AAAA","Addr":"::1","TTL":30}]',
    '[{"Server":"127.0.0.2:53","Zone":".","Referral":["ns.test."],"Glue":["127.0.0.3"],"Rcode":"NOERROR","Start":"2023-11-14T22:13:20.1Z","End":"2023-11-14T22:13:20.15Z","Error":""}]',
    1700000000100000000, 1700000000200000000, 50000000, 'none');

INSERT INTO pages (session_id, id, parent_id, flow_id, url, title, t_start)
VALUES (7, 2, 1, 1, 'https://shop.test/cart', 'Cart', 1700000001000000000);
