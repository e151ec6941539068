"""One kept-alive connection through an HTTPS proxy (CONNECT api.jwplayer.com:443, TLS trusting
the proxy's authority), keeping DEPTH requests in flight with HTTP/1.1 pipelining, so the proxy's
own rate shows rather than the client's round trips. Used by intercept-vs-mitmproxy.sh for both
proxies. Arguments: proxy port, CA file, calls, depth. Prints: calls, seconds, calls/s. Every
answer must be a 200 with a Content-Length."""
import socket, ssl, sys, time
proxy_port, cafile, calls, depth = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
raw = socket.create_connection(("127.0.0.1", proxy_port))
raw.sendall(b"CONNECT api.jwplayer.com:443 HTTP/1.1\r\nHost: api.jwplayer.com:443\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += raw.recv(1)
assert head.startswith(b"HTTP/1.1 200"), head
context = ssl.create_default_context(cafile=cafile)
context.set_alpn_protocols(["http/1.1"])
tls = context.wrap_socket(raw, server_hostname="api.jwplayer.com")
request = (b"GET /v2/sites/abcd1234/media/?page=1 HTTP/1.1\r\nHost: api.jwplayer.com\r\n"
           b"Authorization: Bearer bench-secret-not-real\r\n\r\n")
buffer = bytearray()
sent = answered = 0
start = time.perf_counter()
first = min(depth, calls)
tls.sendall(request * first)
sent = first
while answered < calls:
    chunk = tls.recv(262144)
    if not chunk:
        sys.exit(f"the proxy closed after {answered} answers")
    buffer += chunk
    done = 0
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            break
        headers = bytes(buffer[:end]).lower()
        assert headers.startswith(b"http/1.1 200"), headers[:80]
        at = headers.find(b"content-length:")
        length = int(headers[at + 15:headers.find(b"\r\n", at) if headers.find(b"\r\n", at) > 0 else len(headers)])
        if len(buffer) < end + 4 + length:
            break
        del buffer[:end + 4 + length]
        answered += 1
        done += 1
    more = min(done, calls - sent)
    if more > 0:
        tls.sendall(request * more)
        sent += more
elapsed = time.perf_counter() - start
print(calls, f"{elapsed:.3f}", f"{calls / elapsed:.0f}")
