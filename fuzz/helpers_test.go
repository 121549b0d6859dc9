package fuzz

import (
	"math/rand/v2"

	h "github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/scenario"
)

func newRand(seed, i uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, i)) }

func resultOf(s scenario.Scenario) h.Result { return h.Result{Scenario: s} }
