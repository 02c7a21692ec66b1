// The clusters of these tests share two cores with the rest of CI: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
