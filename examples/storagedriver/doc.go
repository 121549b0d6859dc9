// Package storagedriver shows how a storage driver's own tests run
// layercheck's suites against the driver, from go test, without the
// command line: implement harness.Backend (mount N read-only layers under
// a writable one at a target, and list the deviations the driver's
// documentation calls intended), open a session and run scenarios. This is
// the shape of containerd's snapshotter testsuite, applied to the merged
// view of a layer stack.
//
// See Example_storageDriverBackend in example_test.go; it runs as root
// (it mounts filesystems), as the project's tests do.
package storagedriver
