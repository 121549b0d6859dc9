package mounts

import (
	"os"
)

// NamespaceEnv marks a process that runs in the private mount namespace made by
// ReexecInMountNamespace.
const NamespaceEnv = "LAYERCHECK_PRIVATE_MOUNT_NS"

// InPrivateMountNamespace reports whether this process runs in the private
// mount namespace that ReexecInMountNamespace made.
func InPrivateMountNamespace() bool { return os.Getenv(NamespaceEnv) == "1" }
