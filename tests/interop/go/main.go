// Command interop is the Go side of tests/go_interop.rs: it runs the real
// gorilla/securecookie (Debian's golang-github-gorilla-securecookie-dev,
// built in GOPATH mode) so the Rust test can check both directions.
//
// It reads one JSON request on stdin and writes one JSON reply on stdout:
//
//	{"op": "encode", "cases": [case...]}  -> {"cookies": ["...", ...]}
//	{"op": "decode", "cases": [case...]}  -> {"results": [{"entries": [...]} | {"error": "..."}]}
//	{"op": "serialize", "cases": [case...]} -> {"payloads": ["hex", ...]}
//	{"op": "store-save", "cases": [case...]} -> {"set_cookies": ["Set-Cookie value", ...]}
//	{"op": "store-get", "cases": [case...]} -> {"results": [{"entries": [...], "cookie": {...}} | {"error": "..."}]}
//	{"op": "json-edit", "cases": [case...]} -> {"payloads": [JSON of the map read], "cookies": [the map written back]}
//
// json-edit is what a Go service does with a session whose values are
// structs (issue 17): it reads the cookie (serializer "json") into a
// map[string]interface{}, so a struct is a nested map[string]interface{};
// it changes "user"'s "name" to "Grace", appends "auditor" to its "roles",
// and writes the whole map back with the same codec.
//
// The store ops do what dghubble/sessions' NewCookieStore[string] does (its
// Save and Get, line for line; the package itself is not in Debian): codecs
// from securecookie.CodecsFromPairs, gob over a map[string]string, the
// cookie built from a CookieConfig and rendered by net/http. store-save
// takes "now" for the Expires date (Go's own clock still stamps the cookie);
// store-get parses a Set-Cookie line with net/http, as a browser would keep
// it, sends it back in a request and reads the session from that.
//
// A case names the keys (hex; block "" = signed only), the cookie name, the
// serializer ("nop", "json", "gob") and the Go map type ("ss" =
// map[string]string, "si" = map[string]interface{}, "ii" =
// map[interface{}]interface{}), with typed entries:
//
//	{"k": "key", "t": "string|int|int8|int16|int32|int64|uint|uint8|uint16|uint32|uint64|float32|float64|bool|bytes|nil", "v": "..."}
//
// Values travel as text so nothing is lost on the way: integers in decimal,
// floats as the hex of their IEEE-754 float64 bits, bytes (and nop payloads)
// as hex, bools as "true"/"false".
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/gorilla/securecookie"
)

type entry struct {
	K string `json:"k"`
	T string `json:"t"`
	V string `json:"v"`
}

type testCase struct {
	Hash       string  `json:"hash"`
	Block      string  `json:"block"`
	Name       string  `json:"name"`
	Serializer string  `json:"serializer"`
	Map        string  `json:"map"`
	Entries    []entry `json:"entries"`
	Nop        string  `json:"nop"`
	Cookie     string  `json:"cookie"`
	// Store ops: dghubble/sessions' CookieConfig, the time, a Set-Cookie line.
	Config    cookieConfig `json:"config"`
	Now       int64        `json:"now"`
	SetCookie string       `json:"set_cookie"`
}

type cookieConfig struct {
	Domain   string `json:"domain"`
	Path     string `json:"path"`
	MaxAge   int    `json:"max_age"`
	Secure   bool   `json:"secure"`
	HTTPOnly bool   `json:"http_only"`
	SameSite string `json:"same_site"`
}

// cookieSeen is what net/http parsed out of a Set-Cookie line.
type cookieSeen struct {
	Name     string `json:"name"`
	Domain   string `json:"domain"`
	Path     string `json:"path"`
	MaxAge   int    `json:"max_age"`
	Expires  int64  `json:"expires"`
	Secure   bool   `json:"secure"`
	HTTPOnly bool   `json:"http_only"`
	SameSite string `json:"same_site"`
}

type request struct {
	Op    string     `json:"op"`
	Cases []testCase `json:"cases"`
}

type result struct {
	Entries []entry     `json:"entries"`
	Nop     string      `json:"nop,omitempty"`
	Error   string      `json:"error,omitempty"`
	Cookie  *cookieSeen `json:"cookie,omitempty"`
}

type reply struct {
	Cookies    []string `json:"cookies,omitempty"`
	Results    []result `json:"results,omitempty"`
	Payloads   []string `json:"payloads,omitempty"`
	SetCookies []string `json:"set_cookies,omitempty"`
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		fail("bad hex %q: %v", s, err)
	}
	return b
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "interop: "+format+"\n", args...)
	os.Exit(2)
}

func codec(c testCase) *securecookie.SecureCookie {
	var block []byte
	if c.Block != "" {
		block = mustHex(c.Block)
	}
	s := securecookie.New(mustHex(c.Hash), block)
	switch c.Serializer {
	case "nop":
		s.SetSerializer(securecookie.NopEncoder{})
	case "json":
		s.SetSerializer(securecookie.JSONEncoder{})
	case "gob":
		s.SetSerializer(securecookie.GobEncoder{})
	default:
		fail("unknown serializer %q", c.Serializer)
	}
	return s
}

// value turns a typed entry into the Go value it names.
func value(e entry) interface{} {
	parseInt := func(bits int) int64 {
		i, err := strconv.ParseInt(e.V, 10, bits)
		if err != nil {
			fail("bad %s %q", e.T, e.V)
		}
		return i
	}
	parseUint := func(bits int) uint64 {
		u, err := strconv.ParseUint(e.V, 10, bits)
		if err != nil {
			fail("bad %s %q", e.T, e.V)
		}
		return u
	}
	switch e.T {
	case "string":
		return e.V
	case "int":
		return int(parseInt(64))
	case "int8":
		return int8(parseInt(8))
	case "int16":
		return int16(parseInt(16))
	case "int32":
		return int32(parseInt(32))
	case "int64":
		return parseInt(64)
	case "uint":
		return uint(parseUint(64))
	case "uint8":
		return uint8(parseUint(8))
	case "uint16":
		return uint16(parseUint(16))
	case "uint32":
		return uint32(parseUint(32))
	case "uint64":
		return parseUint(64)
	case "float64", "float32":
		bits, err := strconv.ParseUint(e.V, 16, 64)
		if err != nil {
			fail("bad float bits %q", e.V)
		}
		f := math.Float64frombits(bits)
		if e.T == "float32" {
			return float32(f)
		}
		return f
	case "bool":
		return e.V == "true"
	case "bytes":
		return mustHex(e.V)
	case "nil":
		return nil
	}
	fail("unknown type %q", e.T)
	return nil
}

// describe is the inverse of value: a Go value as a typed entry.
func describe(k string, v interface{}) entry {
	e := entry{K: k}
	switch x := v.(type) {
	case string:
		e.T, e.V = "string", x
	case int:
		e.T, e.V = "int", strconv.FormatInt(int64(x), 10)
	case int8:
		e.T, e.V = "int8", strconv.FormatInt(int64(x), 10)
	case int16:
		e.T, e.V = "int16", strconv.FormatInt(int64(x), 10)
	case int32:
		e.T, e.V = "int32", strconv.FormatInt(int64(x), 10)
	case int64:
		e.T, e.V = "int64", strconv.FormatInt(x, 10)
	case uint:
		e.T, e.V = "uint", strconv.FormatUint(uint64(x), 10)
	case uint8:
		e.T, e.V = "uint8", strconv.FormatUint(uint64(x), 10)
	case uint16:
		e.T, e.V = "uint16", strconv.FormatUint(uint64(x), 10)
	case uint32:
		e.T, e.V = "uint32", strconv.FormatUint(uint64(x), 10)
	case uint64:
		e.T, e.V = "uint64", strconv.FormatUint(x, 10)
	case float32:
		e.T, e.V = "float32", strconv.FormatUint(math.Float64bits(float64(x)), 16)
	case float64:
		e.T, e.V = "float64", strconv.FormatUint(math.Float64bits(x), 16)
	case bool:
		e.T, e.V = "bool", strconv.FormatBool(x)
	case []byte:
		e.T, e.V = "bytes", hex.EncodeToString(x)
	case nil:
		e.T = "nil"
	default:
		e.T, e.V = fmt.Sprintf("unsupported %T", v), ""
	}
	return e
}

// build makes the Go map a case describes.
func build(c testCase) interface{} {
	switch c.Map {
	case "ss":
		m := map[string]string{}
		for _, e := range c.Entries {
			if e.T != "string" {
				fail("map[string]string holds only strings")
			}
			m[e.K] = e.V
		}
		return m
	case "si":
		m := map[string]interface{}{}
		for _, e := range c.Entries {
			m[e.K] = value(e)
		}
		return m
	case "ii":
		m := map[interface{}]interface{}{}
		for _, e := range c.Entries {
			m[e.K] = value(e)
		}
		return m
	}
	fail("unknown map type %q", c.Map)
	return nil
}

func sorted(es []entry) []entry {
	sort.Slice(es, func(i, j int) bool { return es[i].K < es[j].K })
	return es
}

func decodeCase(c testCase) result {
	s := codec(c)
	var es []entry
	var err error
	switch {
	case c.Serializer == "nop":
		var b []byte
		if err = s.Decode(c.Name, c.Cookie, &b); err == nil {
			return result{Nop: hex.EncodeToString(b), Entries: []entry{}}
		}
	case c.Map == "ss":
		m := map[string]string{}
		if err = s.Decode(c.Name, c.Cookie, &m); err == nil {
			for k, v := range m {
				es = append(es, describe(k, v))
			}
		}
	case c.Map == "si":
		m := map[string]interface{}{}
		if err = s.Decode(c.Name, c.Cookie, &m); err == nil {
			for k, v := range m {
				es = append(es, describe(k, v))
			}
		}
	case c.Map == "ii":
		m := map[interface{}]interface{}{}
		if err = s.Decode(c.Name, c.Cookie, &m); err == nil {
			for k, v := range m {
				ks, ok := k.(string)
				if !ok {
					return result{Error: fmt.Sprintf("non-string key %T", k)}
				}
				es = append(es, describe(ks, v))
			}
		}
	default:
		fail("unknown map type %q", c.Map)
	}
	if err != nil {
		return result{Error: err.Error()}
	}
	if es == nil {
		es = []entry{}
	}
	return result{Entries: sorted(es)}
}

func sameSite(s string) http.SameSite {
	switch s {
	case "":
		return 0
	case "Lax":
		return http.SameSiteLaxMode
	case "Strict":
		return http.SameSiteStrictMode
	case "None":
		return http.SameSiteNoneMode
	}
	fail("unknown SameSite %q", s)
	return 0
}

func sameSiteName(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return ""
}

// storeCodecs is dghubble/sessions' NewCookieStore: CodecsFromPairs, so
// securecookie's defaults (gob, max age 30 days) whatever the config says.
func storeCodecs(c testCase) []securecookie.Codec {
	var block []byte
	if c.Block != "" {
		block = mustHex(c.Block)
	}
	return securecookie.CodecsFromPairs(mustHex(c.Hash), block)
}

// storeSave is dghubble/sessions' cookieStore.Save with newCookie, with the
// clock for Expires taken from the case.
func storeSave(c testCase) string {
	values := map[string]string{}
	for _, e := range c.Entries {
		if e.T != "string" {
			fail("a [string] store holds only strings")
		}
		values[e.K] = e.V
	}
	value, err := securecookie.EncodeMulti(c.Name, &values, storeCodecs(c)...)
	if err != nil {
		fail("store save: %v", err)
	}
	cookie := &http.Cookie{
		Name:     c.Name,
		Value:    value,
		Path:     c.Config.Path,
		Domain:   c.Config.Domain,
		MaxAge:   c.Config.MaxAge,
		HttpOnly: c.Config.HTTPOnly,
		Secure:   c.Config.Secure,
		SameSite: sameSite(c.Config.SameSite),
	}
	if c.Config.MaxAge > 0 {
		cookie.Expires = time.Unix(c.Now, 0).Add(time.Duration(c.Config.MaxAge) * time.Second)
	} else if c.Config.MaxAge < 0 {
		cookie.Expires = time.Unix(1, 0)
	}
	return cookie.String()
}

// storeGet parses a Set-Cookie line as net/http does, sends the cookie back
// in a request and runs dghubble/sessions' cookieStore.Get on it.
func storeGet(c testCase) result {
	resp := http.Response{Header: http.Header{"Set-Cookie": {c.SetCookie}}}
	parsed := resp.Cookies()
	if len(parsed) != 1 {
		return result{Error: "net/http did not parse the Set-Cookie line"}
	}
	p := parsed[0]
	seen := &cookieSeen{
		Name: p.Name, Domain: p.Domain, Path: p.Path, MaxAge: p.MaxAge,
		Secure: p.Secure, HTTPOnly: p.HttpOnly, SameSite: sameSiteName(p.SameSite),
	}
	if !p.Expires.IsZero() {
		seen.Expires = p.Expires.Unix()
	}
	req, _ := http.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: p.Name, Value: p.Value})
	cookie, err := req.Cookie(c.Name)
	if err != nil {
		return result{Error: err.Error(), Cookie: seen}
	}
	values := map[string]string{}
	if err := securecookie.DecodeMulti(c.Name, cookie.Value, &values, storeCodecs(c)...); err != nil {
		return result{Error: err.Error(), Cookie: seen}
	}
	es := []entry{}
	for k, v := range values {
		es = append(es, describe(k, v))
	}
	return result{Entries: sorted(es), Cookie: seen}
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fail("bad request: %v", err)
	}
	var rep reply
	for _, c := range req.Cases {
		switch req.Op {
		case "encode":
			var v interface{}
			if c.Serializer == "nop" {
				v = mustHex(c.Nop)
			} else {
				v = build(c)
			}
			cookie, err := codec(c).Encode(c.Name, v)
			if err != nil {
				fail("encode: %v", err)
			}
			rep.Cookies = append(rep.Cookies, cookie)
		case "decode":
			rep.Results = append(rep.Results, decodeCase(c))
		case "store-save":
			rep.SetCookies = append(rep.SetCookies, storeSave(c))
		case "store-get":
			rep.Results = append(rep.Results, storeGet(c))
		case "json-edit":
			m := map[string]interface{}{}
			if err := codec(c).Decode(c.Name, c.Cookie, &m); err != nil {
				fail("json-edit decode: %v", err)
			}
			seen, err := json.Marshal(m)
			if err != nil {
				fail("json-edit marshal: %v", err)
			}
			rep.Payloads = append(rep.Payloads, string(seen))
			if user, ok := m["user"].(map[string]interface{}); ok {
				user["name"] = "Grace"
				roles, _ := user["roles"].([]interface{})
				user["roles"] = append(roles, "auditor")
			}
			cookie, err := codec(c).Encode(c.Name, m)
			if err != nil {
				fail("json-edit encode: %v", err)
			}
			rep.Cookies = append(rep.Cookies, cookie)
		case "serialize":
			var ser securecookie.Serializer = securecookie.JSONEncoder{}
			if c.Serializer == "gob" {
				ser = securecookie.GobEncoder{}
			}
			b, err := ser.Serialize(build(c))
			if err != nil {
				fail("serialize: %v", err)
			}
			rep.Payloads = append(rep.Payloads, hex.EncodeToString(b))
		default:
			fail("unknown op %q", req.Op)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fail("write: %v", err)
	}
}
