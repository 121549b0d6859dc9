package vm

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/layercheck/layercheck/cmd/layercheck/internal/guest"
	"github.com/layercheck/layercheck/cmd/layercheck/internal/kmod"
)

// Machine is one boot of a kernel with layercheck as init.
type Machine struct {
	Kernel   string            // the kernel image: bzImage, a Debian vmlinuz
	Modules  string            // its lib/modules/RELEASE tree; "" if all is built in
	Want     []string          // modules the run needs (with their dependencies)
	Programs []string          // host programs carried in, with their libraries
	Inputs   map[string]string // guest path -> host file (--baseline...)
	Trees    []string          // host directories laid over the guest's "/"
	Args     []string          // layercheck's arguments in the guest
	MemoryMB int
	CPUs     int
	Timeout  time.Duration // the whole boot's limit
	Console  io.Writer     // the console, live
	// ConsoleLog, if set, receives the whole console. Otherwise the
	// console is kept only when the guest crashed (Outcome.ConsoleLog).
	ConsoleLog string
	TempDir    string // where the temporary directory goes ("" os.TempDir)
	TCG        bool   // emulate even where /dev/kvm opens
	// Rewrite, if set, rewrites each console line shown (not the log):
	// guest paths to the host's.
	Rewrite func(string) string
}

// Outcome is how a boot ended.
type Outcome struct {
	Exit       int               // the run's exit code (when Crash is "" or an oops)
	Files      map[string][]byte // what the run wrote beneath guest.OutDir
	Crash      string            // "" or what happened to the guest
	Running    []string          // scenarios started and not done when it crashed
	ConsoleLog string            // the kept console, when there is one
	Accel      string            // kvm or tcg
	Missing    []string          // wanted modules the kernel has not
}

// Run boots the machine and waits for it to end, for ctx to be cancelled
// (the error is then ctx's) or for the time limit. Everything it made is
// removed before it returns; qemu is killed on every way out.
func (m *Machine) Run(ctx context.Context) (*Outcome, error) {
	dir, err := os.MkdirTemp(m.TempDir, "layercheck-vm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := &Outcome{}
	initrd := filepath.Join(dir, "initrd")
	if out.Missing, err = m.makeInitramfs(dir, initrd); err != nil {
		return nil, err
	}
	scratch, outDisk := filepath.Join(dir, "scratch.img"), filepath.Join(dir, "out.img")
	if err := makeScratch(scratch, 16<<30); err != nil {
		return nil, err
	}
	if err := makeBlank(outDisk, 2<<30); err != nil {
		return nil, err
	}
	q := &qemu{kernel: m.Kernel, initrd: initrd, disks: []string{scratch, outDisk},
		trace: filepath.Join(dir, "trace"), console: filepath.Join(dir, "console"),
		memoryMB: m.MemoryMB, cpus: m.CPUs}
	end, err := m.boot(ctx, q, out)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		_, _ = m.keepConsole(q.console, false) // --console still gets what was said
		return nil, ctx.Err()
	}
	res, ok, err := readOut(outDisk)
	if err != nil {
		return nil, err
	}
	out.Exit, out.Files = res.exit, res.files
	out.Crash = crashOf(end, ok, m.Timeout)
	if out.Crash != "" {
		out.Running = running(q.trace)
	}
	out.ConsoleLog, err = m.keepConsole(q.console, out.Crash != "")
	return out, err
}

// kvmBootLimit is how long a KVM guest may stay silent before the boot
// is taken for a KVM that opens but does not run guests (nested
// virtualization without the features qemu asks for) and redone under TCG.
const kvmBootLimit = 45 * time.Second

// boot runs qemu, under KVM where it works, else under TCG.
func (m *Machine) boot(ctx context.Context, q *qemu, out *Outcome) (ending, error) {
	q.tcg = m.TCG
	out.Accel = q.accel()
	if !m.TCG && out.Accel == "tcg" && pvmOnly("/sys/module") {
		fmt.Fprintln(os.Stderr, "layercheck vm: /dev/kvm here is PVM's (kvm_pvm), which runs only kernels built as PVM guests: booting under TCG")
	}
	if out.Accel == "kvm" {
		end, err := q.run(ctx, m.Timeout, kvmBootLimit, m.Console, m.Rewrite)
		if err == nil && !end.silent {
			return end, nil
		}
		fmt.Fprintf(os.Stderr, "layercheck vm: KVM opens but the guest did not start under it (%v): booting under TCG\n", errOr(err, "no console output within "+kvmBootLimit.String()))
		q.tcg, out.Accel = true, "tcg"
	}
	return q.run(ctx, m.Timeout, 0, m.Console, m.Rewrite)
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}

// makeInitramfs writes the initramfs and returns the wanted modules the
// kernel has neither as a module nor built in.
func (m *Machine) makeInitramfs(dir, dst string) ([]string, error) {
	bin, err := StaticBinary(dir)
	if err != nil {
		return nil, err
	}
	r := &initramfs{init: bin, files: programs(m.Programs...), config: guest.Config{
		Args: m.Args, Scratch: "/dev/vda", Out: "/dev/vdb", Trace: "/dev/ttyS1"}}
	r.trees = m.Trees
	for g, h := range m.Inputs {
		r.files[g] = h
	}
	var missing []string
	if m.Modules != "" {
		tree, err := kmod.Open(m.Modules)
		if err != nil {
			return nil, err
		}
		if r.modules, missing, err = tree.Resolve(m.Want); err != nil {
			return nil, err
		}
	}
	return missing, r.write(dst)
}

// keepConsole copies the console to ConsoleLog, or, when the guest
// crashed and no ConsoleLog was asked for, to a file of its own that
// outlives the run (the one thing a crash leaves behind, on purpose).
func (m *Machine) keepConsole(src string, crashed bool) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	switch {
	case m.ConsoleLog != "":
		return m.ConsoleLog, os.WriteFile(m.ConsoleLog, data, 0o644)
	case crashed:
		f, err := os.CreateTemp(m.TempDir, "layercheck-vm-console-*.log")
		if err != nil {
			return "", err
		}
		defer f.Close()
		if _, err := f.Write(data); err != nil {
			return "", err
		}
		return f.Name(), f.Close()
	}
	return "", nil
}

// crashOf says what happened to a guest that ended as end says: "" for a
// run that came to its end. A run that ended has had its own kernel log
// checked (warnings, taints), and with oops=panic an oops never lets it
// end; so a crash line on the console counts only when it did not.
func crashOf(end ending, finished bool, limit time.Duration) string {
	switch {
	case end.timedOut:
		return fmt.Sprintf("hung: the guest did not finish within %s", limit)
	case finished:
		return ""
	case end.panicLine != "":
		return end.panicLine
	}
	return "died: the guest powered off without a result (" + end.status + ")"
}
