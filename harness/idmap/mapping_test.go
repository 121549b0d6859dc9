package idmap

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	good := map[string]string{
		"lowers":            "lowers:0:100000:65536",
		"all:0:200000:1000": "all:0:200000:1000",
		"upper:u:0:100000:65536,g:0:300000:65536": "upper:u:0:100000:65536,g:0:300000:65536",
		"lowers:0:100000:10,10:5000:10":           "lowers:0:100000:10,10:5000:10",
	}
	for in, want := range good {
		s, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if s.String() != want {
			t.Errorf("Parse(%q) = %s, want %s", in, s, want)
		}
	}
	bad := map[string]string{
		"":                             "layers must be",
		"lower":                        "layers must be",
		"all:0:100000":                 "want CONTAINER:HOST:SIZE",
		"all:0:100000:0":               "maps nothing",
		"all:1:100000:10":              "container uid 0 is not mapped",
		"all:0:100000:10,5:200000:10":  "overlap",
		"all:0:100000:10,20:100005:10": "overlap",
		"all:x:0:1:1":                  "want CONTAINER",
		"all:0:4294967290:10":          "past the last id",
		"all:u:0:100000:65536":         "no gid range",
	}
	for in, want := range bad {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) = %v, want one line with %q", in, err, want)
		}
	}
}

func TestShown(t *testing.T) {
	m := Default
	if h, ok := m.HostUID(5); !ok || h != 100005 {
		t.Errorf("HostUID(5) = %d, %v", h, ok)
	}
	if _, ok := m.HostUID(65536); ok {
		t.Error("HostUID(65536) mapped")
	}
	for h, want := range map[uint32]uint32{100005: 5, 165535: 65535, 7: Overflow, 165536: Overflow} {
		if got := m.ShownUID(h); got != want {
			t.Errorf("ShownUID(%d) = %d, want %d", h, got, want)
		}
	}
}
