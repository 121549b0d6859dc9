package idmap

import (
	"fmt"
	"strconv"
	"strings"
)

// Overflow is the id the kernel shows for an id with no mapping
// (/proc/sys/kernel/overflowuid and overflowgid, 65534 by default).
const Overflow = 65534

// Range maps Size container ids from Container to host ids from Host.
type Range struct{ Container, Host, Size uint32 }

// Mapping is a uid and a gid mapping, each a list of disjoint ranges.
type Mapping struct{ UID, GID []Range }

// Default maps container ids 0..65535 to host ids 100000..165535, the
// range a container engine's first subordinate ids usually are.
var Default = Mapping{UID: []Range{{0, 100000, 65536}}, GID: []Range{{0, 100000, 65536}}}

// Layers says which layers of a stack are attached through the mapping.
type Layers string

// The layer selections of --idmap.
const (
	Lowers Layers = "lowers" // the read-only layers (containers/storage's way)
	Upper  Layers = "upper"  // the writable layer only
	All    Layers = "all"    // every layer
)

// MapsLowers and MapsUpper report what the selection attaches mapped.
func (l Layers) MapsLowers() bool { return l == Lowers || l == All }

// MapsUpper reports whether the writable layer is attached mapped.
func (l Layers) MapsUpper() bool { return l == Upper || l == All }

// Spec is a parsed --idmap setting.
type Spec struct {
	Layers  Layers
	Mapping Mapping
}

func (s Spec) String() string { return string(s.Layers) + ":" + s.Mapping.String() }

// Usage is the syntax of --idmap, for help texts and errors.
const Usage = "LAYERS[:MAP], LAYERS one of lowers, upper, all; MAP a comma-separated list of " +
	"CONTAINER:HOST:SIZE (uids and gids) or u:CONTAINER:HOST:SIZE / g:CONTAINER:HOST:SIZE; " +
	"default 0:100000:65536"

// Parse reads an --idmap setting: "lowers", "all:0:100000:65536",
// "lowers:u:0:100000:65536,g:0:200000:65536". Its errors are one line.
func Parse(s string) (Spec, error) {
	sel, mapStr, hasMap := strings.Cut(s, ":")
	spec := Spec{Layers: Layers(sel), Mapping: Default}
	switch spec.Layers {
	case Lowers, Upper, All:
	default:
		return Spec{}, fmt.Errorf("--idmap %q: layers must be lowers, upper or all (syntax %s)", s, Usage)
	}
	if !hasMap {
		return spec, nil
	}
	m, err := ParseMapping(mapStr)
	if err != nil {
		return Spec{}, fmt.Errorf("--idmap %q: %v", s, err)
	}
	spec.Mapping = m
	return spec, nil
}

// ParseMapping reads the MAP part of --idmap.
func ParseMapping(s string) (Mapping, error) {
	var m Mapping
	for _, entry := range strings.Split(s, ",") {
		f := strings.Split(entry, ":")
		kind := ""
		if len(f) == 4 {
			kind, f = f[0], f[1:]
		}
		if len(f) != 3 || (kind != "" && kind != "u" && kind != "g") {
			return Mapping{}, fmt.Errorf("mapping entry %q: want CONTAINER:HOST:SIZE or u:/g: before it", entry)
		}
		var n [3]uint32
		for i, x := range f {
			v, err := strconv.ParseUint(x, 10, 32)
			if err != nil {
				return Mapping{}, fmt.Errorf("mapping entry %q: %q is not an id", entry, x)
			}
			n[i] = uint32(v)
		}
		r := Range{n[0], n[1], n[2]}
		if kind != "g" {
			m.UID = append(m.UID, r)
		}
		if kind != "u" {
			m.GID = append(m.GID, r)
		}
	}
	return m, m.Validate()
}

// Validate checks what the kernel would refuse in a uid_map, and that the
// harness's own identity, container root, is mapped (else nothing it
// creates could be stored).
func (m Mapping) Validate() error {
	for _, side := range []struct {
		name string
		rs   []Range
	}{{"uid", m.UID}, {"gid", m.GID}} {
		if len(side.rs) == 0 {
			return fmt.Errorf("no %s range", side.name)
		}
		if len(side.rs) > 340 {
			return fmt.Errorf("%d %s ranges: the kernel takes at most 340", len(side.rs), side.name)
		}
		for i, r := range side.rs {
			if r.Size == 0 {
				return fmt.Errorf("%s range %d:%d:0 maps nothing", side.name, r.Container, r.Host)
			}
			if uint64(r.Container)+uint64(r.Size) > 1<<32-1 || uint64(r.Host)+uint64(r.Size) > 1<<32-1 {
				return fmt.Errorf("%s range %d:%d:%d runs past the last id", side.name, r.Container, r.Host, r.Size)
			}
			for _, q := range side.rs[:i] {
				if overlaps(r.Container, q.Container, r.Size, q.Size) || overlaps(r.Host, q.Host, r.Size, q.Size) {
					return fmt.Errorf("%s ranges %d:%d:%d and %d:%d:%d overlap", side.name, q.Container, q.Host, q.Size, r.Container, r.Host, r.Size)
				}
			}
		}
		if _, ok := toHost(side.rs, 0); !ok {
			return fmt.Errorf("container %s 0 is not mapped: the harness acts as container root", side.name)
		}
	}
	return nil
}

func overlaps(a, b, na, nb uint32) bool {
	return uint64(a) < uint64(b)+uint64(nb) && uint64(b) < uint64(a)+uint64(na)
}

func toHost(rs []Range, c uint32) (uint32, bool) {
	for _, r := range rs {
		if c >= r.Container && c-r.Container < r.Size {
			return r.Host + (c - r.Container), true
		}
	}
	return 0, false
}

func toContainer(rs []Range, h uint32) (uint32, bool) {
	for _, r := range rs {
		if h >= r.Host && h-r.Host < r.Size {
			return r.Container + (h - r.Host), true
		}
	}
	return 0, false
}

// HostUID is the host id that container uid c is stored as.
func (m Mapping) HostUID(c uint32) (uint32, bool) { return toHost(m.UID, c) }

// HostGID is the host id that container gid c is stored as.
func (m Mapping) HostGID(c uint32) (uint32, bool) { return toHost(m.GID, c) }

// ContainerUID is the container uid that on-disk uid h shows as (ok
// false: h is outside the mapping).
func (m Mapping) ContainerUID(h uint32) (uint32, bool) { return toContainer(m.UID, h) }

// ContainerGID is ContainerUID for gids.
func (m Mapping) ContainerGID(h uint32) (uint32, bool) { return toContainer(m.GID, h) }

// ShownUID is what an on-disk uid h shows as through the mapping: its
// container id, or Overflow.
func (m Mapping) ShownUID(h uint32) uint32 {
	if c, ok := toContainer(m.UID, h); ok {
		return c
	}
	return Overflow
}

// ShownGID is ShownUID for gids.
func (m Mapping) ShownGID(h uint32) uint32 {
	if c, ok := toContainer(m.GID, h); ok {
		return c
	}
	return Overflow
}

func (m Mapping) String() string {
	same := len(m.UID) == len(m.GID)
	for i := 0; same && i < len(m.UID); i++ {
		same = m.UID[i] == m.GID[i]
	}
	var parts []string
	for _, side := range []struct {
		p  string
		rs []Range
	}{{"u:", m.UID}, {"g:", m.GID}} {
		if same {
			side.p = ""
		}
		for _, r := range side.rs {
			parts = append(parts, fmt.Sprintf("%s%d:%d:%d", side.p, r.Container, r.Host, r.Size))
		}
		if same {
			break
		}
	}
	return strings.Join(parts, ",")
}

// HostEnd is one past the highest host id of the mapping: a user
// namespace that holds the mapping's host ids maps at least 0..HostEnd-1.
func (m Mapping) HostEnd() uint32 {
	var end uint32
	for _, r := range append(append([]Range{}, m.UID...), m.GID...) {
		end = max(end, r.Host+r.Size)
	}
	return end
}
