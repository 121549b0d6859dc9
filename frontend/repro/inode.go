package repro

import (
	"path"

	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/snapshot"
)

// vDinoShell is v_dino DIR NAME: the d_ino that getdents64(2) gives for
// NAME in DIR. ls -i and find -printf %i stat the file instead, and
// perl's readdir drops d_ino, so perl calls the system call itself
// (number 217 on x86_64, 61 on arm64) and walks struct linux_dirent64.
const vDinoShell = `v_dino() {
	perl -e 'use POSIX; my ($d, $n) = @ARGV; my $nr = (POSIX::uname())[4] eq "aarch64" ? 61 : 217;
		my $fd = POSIX::open($d, O_RDONLY | 0200000) // exit 2; my $out = "absent";
		while (1) { my $buf = "\0" x 65536; my $k = syscall($nr, $fd, $buf, 65536); last if $k <= 0;
			for (my $o = 0; $o < $k;) { my ($ino, $off, $len) = unpack("Q q S", substr($buf, $o, 18));
				my $name = unpack("Z*", substr($buf, $o + 19, $len - 19)); $out = $ino if $name eq $n; $o += $len; } }
		print "$out\n";' -- "$1" "$2"
}
`

// dinoCheck writes the check of a d_ino finding: readdir's d_ino of the
// name against stat's st_ino in the merged view.
func (w *scriptWriter) dinoCheck(f snapshot.Finding, merged string) {
	w.WriteString(vDinoShell)
	p := path.Join(merged, f.Path)
	w.printf("check %s \"$(stat -c %%i -- %s)\" \"$(v_dino %s %s)\"\n", fsop.Quote(f.Path+": d_ino (readdir) against st_ino (stat)"),
		fsop.Quote(p), fsop.Quote(path.Dir(p)), fsop.Quote(path.Base(p)))
}
