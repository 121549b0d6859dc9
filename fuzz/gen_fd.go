package fuzz

import (
	"math/rand/v2"

	"golang.org/x/sys/unix"

	"github.com/layercheck/layercheck/harness/fsop"
)

// Descriptor sessions: now and then the runtime step ends with a file
// opened (random flags, random identity), used through its descriptor,
// the file changed by name while it is open, used again, and closed. They
// are drawn from a stream of their own (the seed and the index, salted),
// so the rest of each scenario is the one the seed made before they
// existed.

// fdSalt separates the descriptor stream from the scenario's own.
const fdSalt = 0x6664 // "fd"

// openFlagBits are the flags a session's open may add, each with
// probability 1/4.
var openFlagBits = []int{unix.O_CREAT, unix.O_EXCL, unix.O_TRUNC, unix.O_APPEND, unix.O_NOFOLLOW, unix.O_DIRECTORY}

// descriptorSession returns the ops of a session for scenario i, whose
// runtime ops left the model m (nil: none this time).
func (g *Generator) descriptorSession(i int, m model, cov map[string]int) []fsop.Op {
	r := rand.New(rand.NewPCG(g.Seed^fdSalt, uint64(i)))
	if r.IntN(3) != 0 {
		return nil
	}
	s := &gen{Generator: g, r: r, m: m, place: "runtime", cov: cov}
	p := s.existing("file", "dir", "symlink")
	flags := []int{unix.O_RDONLY, unix.O_WRONLY, unix.O_RDWR}[r.IntN(3)]
	for _, b := range openFlagBits {
		if r.IntN(4) == 0 {
			flags |= b
		}
	}
	s.note("open", p)
	ops := []fsop.Op{fsop.Open{Path: p, Flags: flags, Mode: modes[r.IntN(7)], FD: "f", By: s.by()}}
	ops = append(ops, s.fdOps(1+r.IntN(3))...)
	ops = append(ops, s.op()) // the file, or something near it, changed by name while open
	ops = append(ops, s.fdOps(1+r.IntN(2))...)
	if r.IntN(4) != 0 {
		ops = append(ops, fsop.Close{FD: "f"})
	}
	return ops
}

// fdOps makes n ops on the session's descriptor.
func (s *gen) fdOps(n int) []fsop.Op {
	var out []fsop.Op
	for range n {
		switch s.r.IntN(9) {
		case 0, 1:
			out = append(out, fsop.ReadFD{FD: "f", Offset: int64(s.r.IntN(3)) - 1, Len: 64})
		case 2:
			out = append(out, fsop.WriteFD{FD: "f", Offset: int64(s.r.IntN(3)) - 1, Data: payload[1+s.r.IntN(len(payload)-1)]})
		case 3:
			out = append(out, fsop.FstatFD{FD: "f"})
		case 4:
			out = append(out, fsop.FchmodFD{FD: "f", Mode: modes[s.r.IntN(len(modes))], By: s.by()})
		case 5:
			out = append(out, fsop.FtruncateFD{FD: "f", Size: int64(s.r.IntN(4))})
		case 6:
			out = append(out, fsop.Mmap{FD: "f", Shared: s.r.IntN(2) == 0, Length: 4096}, fsop.MapRead{FD: "f", Len: 16})
		case 7:
			out = append(out, fsop.Flock{FD: "f", How: []string{"sh", "ex"}[s.r.IntN(2)]})
		default:
			out = append(out, fsop.FsetxattrFD{FD: "f", Name: xattrs[s.r.IntN(len(xattrs))], Value: "v"})
		}
		s.cov[out[len(out)-1].Kind()+" @ runtime on fd"]++
	}
	return out
}
