"""Benchmarks for Agora: the large-dataset generator (seed_bench), the integrity check
(bench_check) and, later, the load runner and its report. See bench/README.md."""
