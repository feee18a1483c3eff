from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark harness as a Django app: its management commands (seed_bench,
    bench_check, bench_token) and its probe URLs. Installed only in benchmark mode
    (AGORA_BENCHMARK=1, which bench/run.py sets); it has no models."""

    name = "bench"
    verbose_name = "Benchmarks"
