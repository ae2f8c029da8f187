package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/google/uuid"
)

// Listener returns ln with connections that answer net/http's own refusals in the AWS error
// form. Serve the Server on it (http.Server.Serve(s.Listener(ln))).
//
// net/http refuses some requests before any handler runs: a request line it cannot parse (a
// bad percent-escape such as %zz or a lone %, a raw control byte or space in the path, a
// target without a leading /), a malformed header or Host, headers over MaxHeaderBytes, an
// unsupported Transfer-Encoding or HTTP version. It writes those answers to the connection
// itself, in plain text ("400 Bad Request") without X-Amzn-ErrorType or x-amzn-RequestId,
// and closes the connection; no hook of http.Server changes them. These connections
// recognise such an answer by its fixed form (a status line, then exactly
// "Content-Type: text/plain; charset=utf-8" and "Connection: close", no Date: an answer
// written through a ResponseWriter always has a Date header) and write it instead as
// BadRequestException, with net/http's status (400; 431 for headers over the limit, 501 for
// an unsupported Transfer-Encoding, 505 for an unsupported version), a request id and
// net/http's reason in a JSON message, and log it as the access log logs any request. A write that is not such an answer costs one comparison of its first line.
func (s *Server) Listener(ln net.Listener) net.Listener {
	return refusalListener{Listener: ln, s: s}
}

type refusalListener struct {
	net.Listener
	s *Server
}

func (l refusalListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &refusalConn{Conn: c, s: l.s}, nil
}

// refusalConn is a connection whose net/http refusals are rewritten (see Server.Listener).
type refusalConn struct {
	net.Conn
	s *Server
}

// refusalHeaders is what net/http writes between the status line and the body of a refusal.
const refusalHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

func (c *refusalConn) Write(p []byte) (int, error) {
	status, reason, ok := netHTTPRefusal(p)
	if !ok {
		return c.Conn.Write(p)
	}
	id := uuid.NewString()
	msg := "The request could not be parsed: " + reason
	if reason == "400 Bad Request" { // net/http says no more
		msg = "The request could not be parsed: its request line or a header is malformed " +
			"(for example a path with a bad percent-escape such as %zz, a control character or a space)."
	}
	body, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{msg})
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\nConnection: close\r\nContent-Type: application/json\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	b.WriteString("Date: " + time.Now().UTC().Format(http.TimeFormat) + "\r\n")
	b.WriteString("X-Amzn-Errortype: " + amplify.BadRequest + "\r\n")
	b.WriteString("X-Amzn-Requestid: " + id + "\r\n\r\n")
	b.Write(body)
	c.s.cfg.Logger.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("requestId", id), slog.String("remote", c.RemoteAddr().String()),
		slog.Int("status", status), slog.String("errorType", amplify.BadRequest),
		slog.String("reason", reason))
	if _, err := c.Conn.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CloseWrite half-closes a TCP connection, as net/http does before closing one it refused.
func (c *refusalConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// netHTTPRefusal reports whether p is a whole refusal net/http wrote before any handler ran,
// its status and its reason: the body, or the status line's text when the body is empty.
func netHTTPRefusal(p []byte) (status int, reason string, ok bool) {
	// Most writes are answers of the handler (200s): leave them after a few byte compares,
	// without allocating.
	rest, ok := bytes.CutPrefix(p, []byte("HTTP/1.1 "))
	if !ok || len(rest) < 4 || rest[0] != '4' && rest[0] != '5' || rest[3] != ' ' {
		return 0, "", false
	}
	for _, c := range rest[:3] {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		status = status*10 + int(c-'0')
	}
	i := bytes.IndexByte(rest, '\r')
	if i < 0 {
		return 0, "", false
	}
	body, ok := bytes.CutPrefix(rest[i:], []byte(refusalHeaders))
	if !ok {
		return 0, "", false // another header follows the status line: not a refusal
	}
	reason = string(body)
	if reason == "" {
		reason = string(rest[:i])
	}
	if len(reason) > 256 {
		reason = reason[:256]
	}
	return status, reason, true
}
