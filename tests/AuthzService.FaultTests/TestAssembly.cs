// Each test here runs real service processes under load or faults: one at a time, so no test's load or kill
// lands on another's timings.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
