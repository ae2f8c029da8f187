package httpapi

import (
	"net/url"
	"strings"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// route is one operation's path pattern, split into segments; a "" segment is a parameter.
type route struct {
	op       api.Operation
	segments []string
	params   []string // the names of the "" segments, in order
}

// router matches a request path to an operation. Paths may carry the API Gateway stage prefix
// /prod, as AWS's REST API reference writes them.
type router struct {
	byLen [][]route // by number of segments
}

func newRouter(ops []api.Operation) *router {
	r := &router{}
	for _, op := range ops {
		rt := route{op: op}
		for _, seg := range strings.Split(strings.Trim(op.Path, "/"), "/") {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				rt.params = append(rt.params, strings.Trim(seg, "{}"))
				seg = ""
			}
			rt.segments = append(rt.segments, seg)
		}
		for len(r.byLen) <= len(rt.segments) {
			r.byLen = append(r.byLen, nil)
		}
		r.byLen[len(rt.segments)] = append(r.byLen[len(rt.segments)], rt)
	}
	return r
}

// match finds the route for method and escapedPath. pathKnown reports whether some operation
// has this path under any method (an OPTIONS preflight answers for it). A path parameter that
// is not a valid name is a BadRequest error.
func (r *router) match(method, escapedPath string) (rt *route, params []string, pathKnown bool, err error) {
	var buf [8]string // the longest route has 6 segments; a longer path matches nothing
	segs, ok := splitPath(escapedPath, buf[:0])
	if !ok {
		return nil, nil, false, nil
	}
	if len(segs) > 0 && segs[0] == "prod" {
		segs = segs[1:]
	}
	var cands []route
	if len(segs) < len(r.byLen) {
		cands = r.byLen[len(segs)]
	}
	for i := range cands {
		cand := &cands[i]
		if !cand.matches(segs) {
			continue
		}
		pathKnown = true
		if cand.op.Method == method {
			rt = cand
			break
		}
	}
	if rt == nil {
		return nil, nil, pathKnown, nil
	}
	params = make([]string, 0, len(rt.params))
	for i, seg := range rt.segments {
		if seg != "" {
			continue
		}
		name := rt.params[len(params)]
		value := segs[i]
		if strings.IndexByte(value, '%') >= 0 {
			var uerr error
			if value, uerr = url.PathUnescape(value); uerr != nil {
				return rt, nil, true, amplify.Errorf(amplify.BadRequest, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be a valid percent-encoded path segment", name)
			}
		}
		if err := amplify.CheckName(name, value); err != nil {
			return rt, nil, true, err
		}
		params = append(params, value)
	}
	return rt, params, true, nil
}

// escapedPath is u.EscapedPath(). When u has no RawPath and its Path holds only letters,
// digits, '-', '_', '.', '~' and '/' (what AWS's routes and ids are made of), the escaped
// path is Path itself, returned without EscapedPath's byte-by-byte escaping check.
func escapedPath(u *url.URL) string {
	if u.RawPath == "" && u.Path != "" && u.Path != "*" {
		plain := true
		for i := 0; i < len(u.Path) && plain; i++ {
			plain = plainPathByte[u.Path[i]]
		}
		if plain {
			return u.Path
		}
	}
	return u.EscapedPath()
}

// plainPathByte[c] reports whether c is a letter, a digit, '-', '_', '.', '~' or '/': bytes
// that url.URL.EscapedPath never escapes.
var plainPathByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~/", byte(c)) >= 0
	}
	return t
}()

// splitPath splits a path at '/' into segs (without the leading '/'), without allocating; ok
// is false when it has more segments than segs can hold. Empty segments are kept: a trailing
// '/' or a '//' is an empty path parameter (BadRequest naming it), or no route at all, never
// the route of a shorter path.
func splitPath(path string, segs []string) ([]string, bool) {
	path = strings.TrimPrefix(path, "/")
	for {
		if len(segs) == cap(segs) {
			return segs, false
		}
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(segs, path), true
		}
		segs = append(segs, path[:i])
		path = path[i+1:]
	}
}

func (rt *route) matches(segs []string) bool {
	for i, want := range rt.segments {
		if want != "" && segs[i] != want {
			return false
		}
	}
	return true
}
