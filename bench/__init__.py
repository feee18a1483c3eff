"""Benchmarks for Agora: the large-dataset generator (seed_bench), the integrity check
(bench_check), the load runner and its report. See bench/README.md.

A Django app installed only in benchmark mode (AGORA_BENCHMARK=1): bench may import the
apps and config, nothing imports bench."""
