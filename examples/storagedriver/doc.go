// Package storagedriver shows how a storage driver's own tests run
// layercheck's suites against the driver, from go test, without the
// command line: implement backend.Backend (mount N read-only layers under
// a writable one at a target, and list the deviations the driver's
// documentation calls intended) and call driver.TestBackend from a test,
// with driver.Main as the package's TestMain. This is the shape of
// containerd's snapshotter testsuite, applied to the merged view of a
// layer stack.
//
// See TestDriver in example_test.go; it runs as root (it mounts
// filesystems), as the project's tests do, and skips otherwise.
package storagedriver
