// Package triage names what a finding is, apart from where it showed: its
// Signature (the kind, the field, an errno's op and outcomes, a known
// issue's ID; never the path or the scenario), so that a run's failures
// fold into distinct deviations, fuzz files a random failure under one
// name, and a Baseline (the signatures an earlier run showed) tells a new
// deviation from one already known.
//
// It sits between the findings (harness/snapshot) and the engine
// (harness), which groups results by signature (harness.Deviations) and
// judges a run against a baseline (harness.Gate).
package triage
