package fsop

import (
	"strings"
)

// PerlPrelude begins every perl program of descriptor ops: the named
// descriptors (%fd), their mappings (%map) and the programs left running
// (%pid), and one sub per op that prints the op's outcome on a line: "ok",
// an errno name (EACCES), or what a read saw (len=N data=HEX). Only
// perl-base is used (POSIX, Errno); system calls perl has no word for go
// through syscall(2) by their x86-64 numbers, as Rename's shell form does.
// Paths resolve from the current directory with openat2(RESOLVE_IN_ROOT),
// as the harness resolves them beneath a tree.
const PerlPrelude = `use strict; use POSIX (); use Errno (); $| = 1;
my (%fd, %map, %pid);
sysopen(my $R, ".", 0x10000) or die "open .: $!";
sub en { for (sort keys %!) { return $_ if $!{$_} } "E?" }
sub o { print "$_[0]\n" }
sub res { o($_[0] >= 0 ? "ok" : en()) }
sub as { my ($u, $g, $gs, $m, $c) = @_; my $om = umask; umask($m) if $m >= 0;
  { local $) = "$g $gs"; local $> = $u; $c->(); } umask($om); }
sub fdn { exists $fd{$_[0]} ? $fd{$_[0]} : -1 }
sub oa2 { my ($p, $fl, $m) = @_; $m = 0 unless $fl & 0x40 || ($fl & 0x410000) == 0x410000;
  $fl &= 0x230000 if $fl & 0x200000; syscall(437, fileno($R), $p, pack("QQQ", $fl | 0x80000, $m, 0x13), 24) }
sub shut { my $k = shift; syscall(11, @{delete $map{$k}}) if $map{$k}; POSIX::close(delete $fd{$k}) }
sub show { my $d = shift; length($d) <= 64 ? sprintf("ok len=%d data=%s", length $d, unpack("H*", $d)) : sprintf("ok len=%d", length $d) }
sub open_fd { my ($k, $p, $fl, $m) = @_; my $n = oa2($p, $fl, $m); return o(en()) if $n < 0;
  shut($k) if exists $fd{$k}; $fd{$k} = $n; o("ok") }
sub close_fd { my $k = shift; if (exists $fd{$k}) { shut($k); o("ok") }
  elsif (exists $pid{$k}) { kill 9, $pid{$k}; waitpid(delete $pid{$k}, 0); o("ok") } else { o("EBADF") } }
sub read_fd { my ($k, $off, $len) = @_; my $b = "\0" x $len;
  my $r = $off < 0 ? syscall(0, fdn($k), $b, $len) : syscall(17, fdn($k), $b, $len, $off);
  o($r < 0 ? en() : show(substr($b, 0, $r))) }
sub write_fd { my ($k, $off, $d) = @_; res($off < 0 ? syscall(1, fdn($k), $d, length $d) : syscall(18, fdn($k), $d, length $d, $off)) }
sub fstat_fd { my @s = POSIX::fstat(fdn($_[0])); return o(en()) unless @s;
  my %t = (0x8000, "file", 0x4000, "dir", 0xa000, "symlink", 0x1000, "fifo", 0x2000, "chardev", 0x6000, "blockdev", 0xc000, "socket");
  o(sprintf("ok %s mode=%04o uid=%d gid=%d", $t{$s[2] & 0xf000}, $s[2] & 07777, $s[4], $s[5]) .
    (($s[2] & 0xf000) == 0x4000 ? "" : sprintf(" size=%d nlink=%d", $s[7], $s[3]))) }
sub fchmod_fd { res(syscall(91, fdn($_[0]), $_[1])) }
sub fchown_fd { res(syscall(93, fdn($_[0]), $_[1], $_[2])) }
sub fsetxattr_fd { my ($k, $n, $v) = @_; res(syscall(190, fdn($k), $n, $v, length $v, 0)) }
sub ftruncate_fd { res(syscall(77, fdn($_[0]), $_[1])) }
sub fsync_fd { res(syscall(74, fdn($_[0]))) }
sub flock_fd { res(syscall(73, fdn($_[0]), $_[1])) }
sub ofd_lock { my ($k, $t, $s, $l) = @_; my $fl = pack("ssx4qqlx4", $t, 0, $s, $l, 0); res(syscall(72, fdn($k), 37, $fl)) }
sub mmap_fd { my ($k, $len, $fl) = @_; my $a = syscall(9, 0, $len, 1, $fl, fdn($k), 0); return o(en()) if $a == -1;
  syscall(11, @{$map{$k}}) if $map{$k}; $map{$k} = [$a, $len]; o("ok") }
sub map_read { my ($k, $off, $len) = @_; my $m = $map{$k}; return o("EINVAL") unless $m && $off >= 0 && $off <= $m->[1];
  $len = $m->[1] - $off if $off + $len > $m->[1]; o(show(unpack("P$len", pack("Q", $m->[0] + $off)))) }
sub link_fd { my ($k, $p) = @_; my ($d, $b) = $p =~ m{^(.*/)?([^/]*)$}; my $dfd = oa2(defined $d ? $d : ".", 0x210000, 0);
  return o(en()) if $dfd < 0; my $none = ""; my $r = syscall(265, fdn($k), $none, $dfd, $b, 0x1000); my $e = $!; POSIX::close($dfd); $! = $e; res($r) }
sub exec_file { my ($p, $hold) = @_; pipe(my $r, my $w) or die; my $pid = fork() // die;
  if (!$pid) { close $r; exec { $p } $p; syswrite($w, en()); POSIX::_exit(127) }
  close $w; my $e = <$r> // ""; close $r; if ($e ne "") { waitpid($pid, 0); return o($e) }
  if ($hold ne "") { $pid{$hold} = $pid; return o("ok") }
  waitpid($pid, 0); o(($? & 127) ? "killed" : "exit " . ($? >> 8)) }
sub run_sh { system("sh", "-c", $_[0]); o($? == 0 ? "ok" : "status " . ($? >> 8)) }
`

// PerlProgram is ops as one perl program: descriptor ops as their
// statements, every other op through sh -c with its shell line, each
// printing its outcome on a line. A reproducer runs it in the merged view
// and in the reference and compares what they print, so a descriptor held
// across the ops in between (a copy-up, a rename, an unlink) is held in
// the script as it was in the run.
func PerlProgram(ops []Op) string {
	var b strings.Builder
	b.WriteString(PerlPrelude)
	for _, op := range ops {
		if f, ok := op.(FDOp); ok {
			b.WriteString(f.Perl())
		} else {
			b.WriteString(perlCall("run_sh", op.Shell()))
		}
		b.WriteString("\n")
	}
	b.WriteString("close_fd($_) for sort(keys %fd), sort(keys %pid);\n")
	return b.String()
}

// HoldsDescriptor reports whether op is a descriptor op.
func HoldsDescriptor(op Op) bool {
	_, ok := op.(FDOp)
	return ok
}
