// Package backend is the contract between the engine and a layered
// filesystem: a Backend mounts a MountSpec (read-only layers under a
// writable one) and says which of the differences the engine finds its own
// documentation calls intended (Expectation, with the citation). Every
// backend package imports this one and never the engine, as database/sql
// drivers import database/sql/driver only.
//
// What a backend can do beyond mounting it says by implementing optional
// interfaces, which the engine finds by type assertion: KnownIssuer
// (deviations seen before and documented nowhere: still failures),
// ScenarioSkipper (scenarios its documentation leaves undefined),
// Extractable (its on-disk format, for layers written without a mount),
// ShellMounter (the same mount as shell lines, for reproducer scripts),
// CopyRefuser (configurations that refuse copied layers) and
// OnDiskFormatter (the on-disk format an upper is read back in, for the
// commit check).
package backend
