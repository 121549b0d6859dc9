package fsop

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fdSequence exercises every descriptor op, failures included.
func fdSequence() []Op {
	other := Identity{Name: "other", UID: 1002, GID: 1002}
	return []Op{
		Mkdir{Path: "d", Mode: 0o777},
		WriteFile{Path: "d/f", Data: "hello\n", Mode: 0o644},
		Open{Path: "d/f", Flags: unix.O_RDONLY, FD: "ro"},
		Open{Path: "d/f", Flags: unix.O_RDWR, FD: "rw"},
		WriteFD{FD: "rw", Offset: 0, Data: "HE"},
		ReadFD{FD: "ro", Offset: 0, Len: 64},
		ReadFD{FD: "ro", Offset: -1, Len: 3},
		FstatFD{FD: "ro"},
		Mmap{FD: "ro", Shared: true, Length: 4096},
		WriteFD{FD: "rw", Offset: -1, Data: "xyz"},
		MapRead{FD: "ro", Offset: 0, Len: 16},
		FtruncateFD{FD: "ro", Size: 1}, // EINVAL: not open for writing
		FtruncateFD{FD: "rw", Size: 2},
		FchmodFD{FD: "rw", Mode: 0o600},
		FchownFD{FD: "rw", UID: 1000, GID: -1},
		FsetxattrFD{FD: "rw", Name: "user.k", Value: "v"},
		FsyncFD{FD: "rw"},
		Flock{FD: "ro", How: "ex"},
		Flock{FD: "rw", How: "sh"}, // EAGAIN: another description holds it
		FcntlLock{FD: "rw", Type: "write", Start: 0, Len: 1},
		FcntlLock{FD: "ro", Type: "read", Start: 0, Len: 1}, // EBADF: read lock needs read access, has it; conflict: EAGAIN
		Open{Path: "d/f", Flags: unix.O_WRONLY, FD: "w2", By: By{As: other}},
		Open{Path: "d/missing/", Flags: unix.O_CREAT | unix.O_WRONLY, Mode: 0o644, FD: "bad"},
		ReadFD{FD: "bad", Offset: 0, Len: 4},
		Remove{Path: "d/f"},
		FstatFD{FD: "ro"},
		OpenTmpfile{Dir: "d", Flags: unix.O_RDWR, Mode: 0o640, FD: "tmp"},
		WriteFD{FD: "tmp", Offset: -1, Data: "anon"},
		Linkat{FD: "tmp", Path: "d/named"},
		WriteProgram{Path: "d/prog", Mode: 0o755, Exit: 7},
		Exec{Path: "d/prog"},
		Open{Path: "d/prog", Flags: unix.O_WRONLY, FD: "pw"},
		Exec{Path: "d/prog"}, // ETXTBSY
		Close{FD: "pw"},
		WriteProgram{Path: "d/wait", Mode: 0o755, Pause: true},
		Exec{Path: "d/wait", Hold: "running"},
		Open{Path: "d/wait", Flags: unix.O_WRONLY, FD: "ww"}, // ETXTBSY
		Close{FD: "running"},
		Close{FD: "ro"},
		Close{FD: "ro"}, // EBADF
	}
}

// The Go ops and their perl program give the same outcome, op by op.
func TestDescriptorOpsMatchTheirPerlForm(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (identities, fchown)")
	}
	if _, err := exec.LookPath("perl"); err != nil {
		t.Skip("no perl")
	}
	ops := fdSequence()
	goDir, perlDir := t.TempDir(), t.TempDir()
	tree, err := OpenTree(goDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range ops {
		got = append(got, string(Apply(tree, op)))
	}
	if err := tree.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("outcomes: %q", got)
	cmd := exec.Command("perl", "-e", PerlProgram(ops))
	cmd.Dir = perlDir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("perl: %v\n%s%s", err, out, err.(*exec.ExitError).Stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, op := range ops {
		want := got[i]
		if strings.HasPrefix(want, "ok len=") && len(want) > 0 && strings.Contains(want, "sha256") {
			want = want[:strings.Index(want, " sha256")]
		}
		if i >= len(lines) || lines[i] != want {
			line := "(none)"
			if i < len(lines) {
				line = lines[i]
			}
			t.Errorf("op %d %s: Go %q, perl %q", i, op.Kind(), got[i], line)
		}
	}
	for _, name := range []string{"d/f", "d/named", "d/prog"} {
		a, _ := os.ReadFile(filepath.Join(goDir, name))
		b, _ := os.ReadFile(filepath.Join(perlDir, name))
		if string(a) != string(b) {
			t.Errorf("%s: Go left %q, perl %q", name, a, b)
		}
	}
}

func TestDescriptorOpsJSON(t *testing.T) {
	for _, op := range fdSequence() {
		b, err := MarshalOp(op)
		if err != nil {
			t.Fatalf("%s: %v", op.Kind(), err)
		}
		back, err := UnmarshalOp(b)
		if err != nil || !reflect.DeepEqual(back, op) {
			t.Errorf("%s: %v, %#v", op.Kind(), err, back)
		}
	}
}

// A tree closes what its descriptor ops left open.
func TestCloseFilesClosesEverything(t *testing.T) {
	tree, err := OpenTree(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	Apply(tree, WriteFile{Path: "f", Data: "x", Mode: 0o644})
	Apply(tree, Open{Path: "f", Flags: unix.O_RDONLY, FD: "a"})
	Apply(tree, Open{Path: "f", Flags: unix.O_RDONLY, FD: "b"})
	if got := tree.OpenNames(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("open: %v", got)
	}
	if err := tree.CloseFiles(); err != nil {
		t.Fatal(err)
	}
	if got := tree.OpenNames(); len(got) != 0 {
		t.Fatalf("still open: %v", got)
	}
	if out := Apply(tree, ReadFD{FD: "a", Len: 1}); out != "EBADF" {
		t.Fatalf("read of a closed descriptor: %s", out)
	}
}
