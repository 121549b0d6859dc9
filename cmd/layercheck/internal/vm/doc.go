// Package vm boots a kernel in qemu with layercheck itself as init and
// brings back what the run inside wrote: the host side of `layercheck vm`
// (package guest is the other side).
//
// A Machine makes, in one temporary directory it removes on every way
// out: the initramfs (a static layercheck as /init, the modules the run
// needs after their dependencies, FUSE daemons with their libraries, the
// input files), an ext4 scratch disk (so the guest's scratch has user
// xattrs on any kernel) and an empty output disk the guest writes a tar
// stream to. It runs qemu (KVM when /dev/kvm opens, TCG otherwise), relays
// the serial console live, and reads the outcome: the run's exit code and
// files, or how the guest died (panic, oops, time limit, no result) with
// the scenarios that were running then.
package vm
