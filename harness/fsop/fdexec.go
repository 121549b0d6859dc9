package fsop

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// OpenTmpfile opens an unnamed file in the directory Dir (O_TMPFILE, with
// Flags: O_RDWR or O_WRONLY, O_EXCL) and names it FD; Linkat gives it a
// name. A tmpfile of a lower directory must land in the upper, under its
// parent copied up, and show through the merged view once linked.
type OpenTmpfile struct {
	Dir   string
	Flags int
	Mode  uint32
	FD    string
	By
}

func (o OpenTmpfile) Kind() string    { return "open-tmpfile" }
func (o OpenTmpfile) Paths() []string { return []string{o.Dir} }
func (o OpenTmpfile) Shell() string   { return perlShell(o.Perl()) }
func (o OpenTmpfile) Perl() string    { return o.open().Perl() }
func (o OpenTmpfile) open() Open {
	return Open{Path: o.Dir, Flags: o.Flags | unix.O_TMPFILE, Mode: o.Mode, FD: o.FD, By: o.By}
}
func (o OpenTmpfile) apply(t *Tree) error { return o.open().apply(t) }

// Linkat links the file open as FD to Path (linkat(2) with AT_EMPTY_PATH,
// which needs CAP_DAC_READ_SEARCH).
type Linkat struct {
	FD   string
	Path string
	By
}

func (o Linkat) Kind() string    { return "linkat" }
func (o Linkat) Paths() []string { return []string{o.Path} }
func (o Linkat) Shell() string   { return perlShell(o.Perl()) }
func (o Linkat) Perl() string {
	return perlAs(o.By, perlCall("link_fd", o.FD, o.Path))
}
func (o Linkat) apply(t *Tree) error {
	return t.WithParent(o.Path, func(dfd int, base string) error {
		return unix.Linkat(t.fdOf(o.FD), "", dfd, base, unix.AT_EMPTY_PATH)
	})
}

// Exec executes Path (a program or a #! script) with no arguments. Its
// outcome is "exit N" (or "killed"), or the errno of execve(2): ETXTBSY
// when the file is open for writing, EACCES without x permission. With
// Hold set, the program is left running under that name (Close stops it),
// so that a later Open for writing meets a file being executed.
type Exec struct {
	Path string
	Hold string
	By
}

func (o Exec) Kind() string    { return "exec" }
func (o Exec) Paths() []string { return []string{o.Path} }
func (o Exec) Shell() string   { return perlShell(o.Perl()) }
func (o Exec) Perl() string {
	return perlAs(o.By, perlCall("exec_file", "./"+CleanRel(o.Path), o.Hold))
}

// execLimit is how long an Exec without Hold may run: the programs of the
// suites exit at once; one that does not is killed and reported so.
const execLimit = 10 * time.Second

func (o Exec) apply(t *Tree) error {
	// The program is executed through an O_PATH descriptor resolved beneath
	// the tree, as /proc/self/fd/3 of the child (a script's interpreter
	// opens that name too, so it stays open across the exec). The child is
	// forked from the op's thread, with the op's credentials.
	fd, err := t.OpenAt(o.Path, unix.O_PATH, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), o.Path)
	defer f.Close()
	cmd := &exec.Cmd{Path: "/proc/self/fd/3", Args: []string{path.Base(o.Path)}, ExtraFiles: []*os.File{f}, Env: []string{}}
	if err := cmd.Start(); err != nil {
		return err
	}
	if o.Hold != "" {
		tab := t.table()
		if old := tab.procs[o.Hold]; old != nil {
			stopProgram(old)
		}
		tab.procs[o.Hold] = cmd
		return nil
	}
	timer := time.AfterFunc(execLimit, func() { cmd.Process.Kill() })
	defer timer.Stop()
	cmd.Wait()
	if st := cmd.ProcessState; st.Exited() {
		return reported(fmt.Sprintf("exit %d", st.ExitCode()))
	}
	return reported("killed")
}

// WriteProgram creates Path as a tiny static x86-64 program with Mode
// (exactly: the umask does not apply): it exits with Exit (0..127), or with
// Pause first waits until it is killed. The suites need a real executable
// file inside the tree, for ETXTBSY: a file that is being executed may not
// be opened for writing, and only the program the kernel maps (not a
// script) counts as being executed.
type WriteProgram struct {
	Path  string
	Mode  uint32
	Exit  int
	Pause bool
	By
}

func (o WriteProgram) Kind() string    { return "write-program" }
func (o WriteProgram) Paths() []string { return []string{o.Path} }
func (o WriteProgram) Shell() string {
	var b strings.Builder
	for _, c := range []byte(o.image()) {
		fmt.Fprintf(&b, `\%03o`, c)
	}
	return asShell(o.By, fmt.Sprintf("printf '%s' > %s && chmod %04o -- %s", b.String(), Quote(o.Path), o.Mode, Quote(o.Path)))
}
func (o WriteProgram) apply(t *Tree) error {
	if err := (WriteFile{Path: o.Path, Data: o.image(), Mode: o.Mode & 0o777}).apply(t); err != nil {
		return err
	}
	return Chmod{Path: o.Path, Mode: o.Mode}.apply(t)
}

// image is the program: an ELF header, one loadable segment (the whole
// file at 0x400000) and the code at 0x400078. Every byte is below 0x80,
// so the image is valid UTF-8 and travels in JSON as it is.
func (o WriteProgram) image() string {
	code := []byte{0x6a, 0x3c, 0x58, 0x6a, byte(o.Exit & 0x7f), 0x5f, 0x0f, 0x05} // exit(Exit)
	if o.Pause {
		code = append([]byte{0x6a, 0x22, 0x58, 0x0f, 0x05}, code...) // pause()
	}
	size := 0x78 + len(code)
	le := func(v, n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		return b
	}
	var img []byte
	for _, part := range [][]byte{
		{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, le(0, 8), // class 64, little-endian, version 1
		le(2, 2), le(0x3e, 2), le(1, 4), le(0x400078, 8), // ET_EXEC, x86-64, entry
		le(0x40, 8), le(0, 8), le(0, 4), // program headers at 64, no sections
		le(0x40, 2), le(0x38, 2), le(1, 2), le(0, 6),
		le(1, 4), le(5, 4), le(0, 8), le(0x400000, 8), le(0x400000, 8), // PT_LOAD, r-x, offset 0
		le(size, 8), le(size, 8), le(0x1000, 8),
		code,
	} {
		img = append(img, part...)
	}
	return string(img)
}
