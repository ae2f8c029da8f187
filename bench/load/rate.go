package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// runRate is the open-loop mode (-mode rate): GET -url at -rate requests per second, evenly
// spaced, for -duration, over at most -conns keep-alive connections, whatever the server's
// latency. Request k has the intended send time start + k/rate; its latency is measured from
// that time, not from when it was actually sent, so a stall of the server (or of the
// generator) counts against every request it delays, as it would for clients arriving at that
// rate. That is how wrk2 measures (no "coordinated omission"); wrk's delay() cannot, and its
// millisecond timer sends paced requests in bursts. The service time (from the write to the
// last byte of the answer) is reported beside it, and so is how late each send was against the
// schedule (send_late): the generator's own error, which the latency includes.
//
// It is a single-threaded event loop like wrk's: one OS thread, non-blocking sockets, epoll,
// and a timerfd armed at nanosecond precision for the next send (Go's own timers fire up to a
// millisecond late on an idle machine). A request whose time has come while every connection
// is busy waits for the first one to become free; its latency still counts from its time.
func runRate(c *config) (map[string]any, error) {
	if c.rate <= 0 || c.conns < 1 {
		return nil, errors.New("-rate must be above 0 and -conns at least 1")
	}
	u, err := url.Parse(c.url)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("-url %q: need http://host:port/path", c.url)
	}
	addr, err := net.ResolveTCPAddr("tcp4", u.Host)
	if err != nil {
		return nil, err
	}
	request := rawRequest(u, c.headers)
	n := int(c.rate * c.duration.Seconds())

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // nothing to collect mid-run: all is preallocated

	l, err := newLoop(addr, c.conns, request)
	if err != nil {
		return nil, err
	}
	defer l.close()
	if err := l.warm(3); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	res, err := l.run(n, time.Duration(float64(time.Second)/c.rate))
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"mode": "rate", "target_rps": c.rate, "conns": c.conns, "requests": len(res.latency),
		"rps":           float64(len(res.latency)) / res.elapsed.Seconds(),
		"latency":       res.latency.summaryFine(),
		"service":       res.service.summaryFine(),
		"send_late":     res.late.summaryFine(),
		"waited_conn":   res.waited,
		"conns_used":    res.connsUsed,
		"status_errors": res.statusErrors,
	}, nil
}

// rawRequest is the GET request for u with the given "Name: value" headers, as bytes.
func rawRequest(u *url.URL, headers []string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: bench-load\r\n", u.RequestURI(), u.Host)
	for _, line := range headers {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.EqualFold(strings.TrimSpace(name), "Host") {
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", strings.TrimSpace(name), strings.TrimSpace(value))
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// loop is the event loop: its connections, the timer and the epoll instance.
type loop struct {
	epfd, timer int
	conns       []*rawConn
	request     []byte
	events      []unix.EpollEvent
}

// rawConn is one non-blocking keep-alive connection with at most one request in flight.
type rawConn struct {
	fd       int
	buf      []byte // bytes of the answer read so far
	busy     bool
	due      time.Time // intended send time of the request in flight
	sent     time.Time // when it was written
	everUsed bool
}

func newLoop(addr *net.TCPAddr, conns int, request []byte) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	l := &loop{epfd: epfd, timer: -1, request: request, events: make([]unix.EpollEvent, conns+1)}
	l.timer, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		l.close()
		return nil, err
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, l.timer, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(l.timer)}); err != nil {
		l.close()
		return nil, err
	}
	var sa unix.SockaddrInet4
	copy(sa.Addr[:], addr.IP.To4())
	sa.Port = addr.Port
	for range conns {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			l.close()
			return nil, err
		}
		rc := &rawConn{fd: fd, buf: make([]byte, 0, 16<<10)}
		l.conns = append(l.conns, rc)
		if err := unix.Connect(fd, &sa); err != nil { // blocking connect on loopback, then non-blocking
			l.close()
			return nil, err
		}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if err := unix.SetNonblock(fd, true); err != nil {
			l.close()
			return nil, err
		}
		if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			l.close()
			return nil, err
		}
	}
	return l, nil
}

func (l *loop) close() {
	for _, rc := range l.conns {
		unix.Close(rc.fd)
	}
	if l.timer >= 0 {
		unix.Close(l.timer)
	}
	unix.Close(l.epfd)
}

// warm sends k requests on every connection, one after the other, before the measurement.
func (l *loop) warm(k int) error {
	for _, rc := range l.conns {
		for range k {
			if err := l.send(rc, time.Now()); err != nil {
				return err
			}
			for rc.busy {
				status, _, err := l.readable(rc)
				if err != nil {
					return err
				}
				if !rc.busy && status != 200 {
					return fmt.Errorf("status %d", status)
				}
				if rc.busy {
					pfd := []unix.PollFd{{Fd: int32(rc.fd), Events: unix.POLLIN}}
					if _, err := unix.Poll(pfd, 1000); err != nil && err != unix.EINTR {
						return err
					}
				}
			}
			rc.everUsed = false
		}
	}
	return nil
}

func (l *loop) send(rc *rawConn, due time.Time) error {
	rc.busy, rc.due, rc.everUsed = true, due, true
	rc.sent = time.Now()
	for off := 0; off < len(l.request); {
		w, err := unix.Write(rc.fd, l.request[off:])
		if err == unix.EAGAIN || err == unix.EINTR {
			continue // a small request on an idle connection: does not happen in practice
		}
		if err != nil {
			return err
		}
		off += w
	}
	return nil
}

// readable reads what rc has and, when an answer is complete, returns its status with
// done = true and frees the connection.
func (l *loop) readable(rc *rawConn) (status int, done bool, err error) {
	for {
		if len(rc.buf) == cap(rc.buf) {
			return 0, false, errors.New("answer larger than the read buffer")
		}
		r, err := unix.Read(rc.fd, rc.buf[len(rc.buf):cap(rc.buf)])
		if err == unix.EAGAIN {
			break
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, false, err
		}
		if r == 0 {
			return 0, false, errors.New("the server closed the connection")
		}
		rc.buf = rc.buf[:len(rc.buf)+r]
	}
	status, size, err := parseResponse(rc.buf)
	if err != nil || size == 0 {
		return 0, false, err
	}
	if size != len(rc.buf) {
		return 0, false, errors.New("bytes after the answer: the server sent more than asked for")
	}
	rc.buf, rc.busy = rc.buf[:0], false
	return status, true, nil
}

// parseResponse returns the status and size of the complete HTTP/1.1 answer at the start of b,
// or size 0 when b does not hold all of it yet.
func parseResponse(b []byte) (status, size int, err error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, 0, nil
	}
	head := b[:end]
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	fields := bytes.Fields(line)
	if len(fields) < 2 {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	if status, err = strconv.Atoi(string(fields[1])); err != nil {
		return 0, 0, fmt.Errorf("bad status line %q", line)
	}
	length := -1
	for h := range bytes.SplitSeq(rest, []byte("\r\n")) {
		name, value, ok := bytes.Cut(h, []byte(":"))
		if ok && strings.EqualFold(string(name), "Content-Length") {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(value))); err != nil {
				return 0, 0, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return 0, 0, errors.New("an answer without Content-Length")
	}
	if len(b) < end+4+length {
		return 0, 0, nil
	}
	return status, end + 4 + length, nil
}

type rateRun struct {
	latency, service, late latencies
	waited, connsUsed      int
	statusErrors           int
	elapsed                time.Duration
}

// run sends n requests, request k at start + k*interval, and waits for every answer.
func (l *loop) run(n int, interval time.Duration) (rateRun, error) {
	res := rateRun{latency: make(latencies, 0, n), service: make(latencies, 0, n), late: make(latencies, 0, n)}
	idle := make([]*rawConn, 0, len(l.conns)) // free connections, used last-in first-out
	for i := len(l.conns) - 1; i >= 0; i-- {
		idle = append(idle, l.conns[i])
	}
	byFD := make(map[int32]*rawConn, len(l.conns))
	for _, rc := range l.conns {
		byFD[int32(rc.fd)] = rc
	}
	start := time.Now().Add(10 * time.Millisecond)
	next := 0       // the next request to send
	waitedFor := -1 // the last request that found no connection free
	arm := func() error {
		if next >= n || len(idle) == 0 {
			// Disarm: all sent, or no connection free (the next answer sends what is due).
			return unix.TimerfdSettime(l.timer, 0, &unix.ItimerSpec{}, nil)
		}
		d := time.Until(start.Add(time.Duration(next) * interval))
		if d < time.Microsecond {
			d = time.Microsecond // already due: fire at once (0 would disarm)
		}
		return unix.TimerfdSettime(l.timer, 0, &unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}, nil)
	}
	// sendDue sends every request whose time has come, while connections are free.
	sendDue := func() error {
		now := time.Now()
		for next < n {
			due := start.Add(time.Duration(next) * interval)
			if due.After(now) {
				break
			}
			if len(idle) == 0 {
				if waitedFor != next {
					res.waited, waitedFor = res.waited+1, next
				}
				break
			}
			rc := idle[len(idle)-1]
			idle = idle[:len(idle)-1]
			if err := l.send(rc, due); err != nil {
				return err
			}
			res.late = append(res.late, rc.sent.Sub(due))
			next++
		}
		return nil
	}
	if err := arm(); err != nil {
		return res, err
	}
	answered := 0
	var tick [8]byte
	for answered < n {
		k, err := unix.EpollWait(l.epfd, l.events, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return res, err
		}
		for _, ev := range l.events[:k] {
			if int(ev.Fd) == l.timer {
				_, _ = unix.Read(l.timer, tick[:])
				continue
			}
			rc := byFD[ev.Fd]
			status, done, err := l.readable(rc)
			if err != nil {
				return res, err
			}
			if !done {
				continue
			}
			now := time.Now()
			res.latency = append(res.latency, now.Sub(rc.due))
			res.service = append(res.service, now.Sub(rc.sent))
			if status != 200 {
				res.statusErrors++
			}
			answered++
			idle = append(idle, rc)
		}
		if err := sendDue(); err != nil {
			return res, err
		}
		if err := arm(); err != nil {
			return res, err
		}
	}
	res.elapsed = time.Since(start)
	for _, rc := range l.conns {
		if rc.everUsed {
			res.connsUsed++
		}
	}
	return res, nil
}

// summaryFine is summary in microseconds, with the 99.9th percentile.
func (l latencies) summaryFine() map[string]any {
	if len(l) == 0 {
		return map[string]any{"n": 0}
	}
	s := slices.Clone(l)
	slices.Sort(s)
	pct := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))].Nanoseconds()) / 1000 }
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return map[string]any{
		"n": len(s), "p50_us": pct(0.50), "p90_us": pct(0.90), "p99_us": pct(0.99), "p999_us": pct(0.999),
		"max_us": float64(s[len(s)-1].Nanoseconds()) / 1000, "mean_us": float64((sum / time.Duration(len(s))).Nanoseconds()) / 1000,
	}
}
