"""The warm kernel: chapter after chapter in one kernel, each in a fresh namespace, every output captured."""
import nbformat
import pytest

from pipeline.chapters.registry import Chapter
from pipeline.execution import (BLAS_THREADS, KERNEL_NAME, ChapterFailure, WarmKernel, ensure_kernel,
                                kernel_environment, run_chapter)
from pipeline.kernel_client import PromptKernelClient


def _notebook(folder, name, cells):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    parameters = nbformat.v4.new_code_cell("tables_dir = ''")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells.insert(0, parameters)
    notebook.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_NAME, "language": "python"}
    nbformat.write(notebook, folder / name)
    return Chapter(name.removesuffix(".ipynb"), name, name, ())


@pytest.fixture(scope="module")
def kernel():
    ensure_kernel()
    warm = WarmKernel(["pipeline.report.plotting"])
    yield warm
    warm.shutdown()


def test_the_warm_kernel_connects_prompt_clients(kernel):
    assert isinstance(kernel.manager.client(), PromptKernelClient)


def test_every_chapter_starts_in_a_fresh_namespace_and_keeps_its_first_output(kernel, tmp_path):
    sources, out = tmp_path / "notebooks", tmp_path / "out"
    sources.mkdir()
    out.mkdir()
    leaves = _notebook(sources, "leaves.ipynb", ["print('first', 1)", "left_behind = 42"])
    looks = _notebook(sources, "looks.ipynb", ["print('first', 2)", "print('left_behind' in globals())"])
    for _ in range(10):  # a client that missed IOPub's start would lose the first cell's output now and then
        for chapter, number in ((leaves, 1), (looks, 2)):
            run_chapter(chapter, out, {}, notebooks_dir=sources, kernel=kernel)
            executed = nbformat.read(out / chapter.notebook, as_version=4)
            assert _printed(executed.cells[2]) == f"first {number}\n"
        assert _printed(nbformat.read(out / looks.notebook, as_version=4).cells[3]) == "False\n"


def _printed(cell) -> str:
    """A cell's printed text: the kernel may flush one print in two stream messages ('False', then the newline)."""
    return "".join(output["text"] for output in cell.outputs if output["output_type"] == "stream")


def test_a_failing_chapter_names_its_cell_and_the_kernel_goes_on(kernel, tmp_path):
    fails = _notebook(tmp_path, "fails.ipynb", ["x = 1", "1 / 0"])
    with pytest.raises(ChapterFailure, match="ZeroDivisionError"):
        run_chapter(fails, tmp_path, {}, notebooks_dir=tmp_path, kernel=kernel)
    assert kernel.alive()


def test_a_kernel_that_dies_is_a_named_failure_with_the_notebook_kept(tmp_path):
    ensure_kernel()
    sources, out = tmp_path / "notebooks", tmp_path / "out"
    sources.mkdir()
    out.mkdir()
    dies = _notebook(sources, "dies.ipynb", ["import os", "os._exit(1)"])
    with pytest.raises(ChapterFailure) as failure:
        run_chapter(dies, out, {}, notebooks_dir=sources)
    assert "dies" in str(failure.value) and (out / "dies.ipynb").exists()


def test_each_kernel_gets_its_share_of_the_cores_for_linear_algebra(monkeypatch, tmp_path):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    for variable in BLAS_THREADS:
        monkeypatch.delenv(variable, raising=False)
    assert {kernel_environment(2)[v] for v in BLAS_THREADS} == {"4"}
    assert {kernel_environment(16)[v] for v in BLAS_THREADS} == {"1"}
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")  # the user's own setting stands
    assert kernel_environment(2)["OPENBLAS_NUM_THREADS"] == "3"


def test_the_kernel_runs_with_the_environment_it_was_given(tmp_path):
    ensure_kernel()
    environment = kernel_environment(1) | {"OPENBLAS_NUM_THREADS": "1", "CSP_TEST_MARK": "warm"}
    warm = WarmKernel(["pipeline.report.plotting"], environment)
    try:
        reads = _notebook(tmp_path, "reads.ipynb", ["import os", "print(os.environ['CSP_TEST_MARK'], os.environ['OPENBLAS_NUM_THREADS'])"])
        run_chapter(reads, tmp_path, {}, notebooks_dir=tmp_path, kernel=warm)
        assert nbformat.read(tmp_path / "reads.ipynb", as_version=4).cells[3].outputs[0]["text"] == "warm 1\n"
    finally:
        warm.shutdown()


def test_chapters_are_queued_longest_first_by_the_last_run_else_by_their_typical_seconds(monkeypatch, tmp_path):
    from pipeline import runner

    class NoKernel:
        def __init__(self, *args, **kwargs):
            pass

        def alive(self):
            return True

        def shutdown(self):
            pass

    started = []
    monkeypatch.setattr(runner, "start_warm_kernel", NoKernel)
    monkeypatch.setattr(runner, "notebook_imports", lambda notebooks: [])
    monkeypatch.setattr(runner, "run_chapter", lambda chapter, *args, **kwargs: started.append(chapter.name) or 0.0)
    chapters = [Chapter(name, name, f"{name}.ipynb", (), typical_seconds=seconds)
                for name, seconds in (("short", 0.1), ("long", 3.0), ("middle", 1.0))]
    runner.run_chapters(chapters, tmp_path, {}, jobs=1)
    assert started == ["long", "middle", "short"]
    started.clear()
    runner.run_chapters(chapters, tmp_path, {}, jobs=1, expected={"short": 9.0, "long": 2.0})  # middle: not timed
    assert started == ["short", "long", "middle"]


class _FakeKernel:
    """Stands in for a WarmKernel: records the thread that started it."""

    def __init__(self, imports, environment):
        import threading

        self.started_on = threading.current_thread().name
        self.imports = imports

    def alive(self):
        return True

    def shutdown(self):
        pass


def test_prestarted_kernels_are_taken_with_the_thread_name_they_were_started_on(monkeypatch):
    from pipeline import kernel_pool

    monkeypatch.setattr(kernel_pool, "WarmKernel", _FakeKernel)
    monkeypatch.setattr(kernel_pool, "ensure_kernel", lambda: None)
    before = kernel_pool.kept()
    kernel_pool.prestart(2, ["pipeline.paths"], {})
    assert kernel_pool.kept() == before + 2
    taken = [kernel_pool.take() for _ in range(2)]
    assert all(kernel.started_on == name and kernel.imports == ["pipeline.paths"] for name, kernel in taken)
    assert len({name for name, _ in taken}) == 2 and kernel_pool.kept() == before


def test_a_prestarted_kernel_that_failed_is_reported_and_leaves_the_worker_to_start_its_own(monkeypatch, capsys):
    from pipeline import kernel_pool

    def fails(imports, environment):
        raise RuntimeError("no kernel today")

    monkeypatch.setattr(kernel_pool, "WarmKernel", fails)
    monkeypatch.setattr(kernel_pool, "ensure_kernel", lambda: None)
    kernel_pool.prestart(1, [], {})
    name, kernel = kernel_pool.take()
    assert kernel is None and name.startswith("chapters-")
    assert "did not start (RuntimeError: no kernel today)" in capsys.readouterr().err  # never absorbed in silence


def test_a_run_whose_chapters_all_execute_uses_the_kernels_started_while_it_made_their_keys(monkeypatch, tmp_path):
    from pipeline import kernel_pool, runner

    def no_new_kernel(imports, environment):
        raise AssertionError("a worker started a kernel of its own")

    monkeypatch.setattr(kernel_pool, "WarmKernel", _FakeKernel)
    monkeypatch.setattr(kernel_pool, "ensure_kernel", lambda: None)
    monkeypatch.setattr(runner, "start_warm_kernel", no_new_kernel)
    monkeypatch.setattr(runner, "ensure_kernel", lambda: None)
    monkeypatch.setattr(runner, "notebook_imports", lambda notebooks: [])
    used = []
    monkeypatch.setattr(runner, "run_chapter", lambda chapter, *args, kernel, **kwargs: used.append(kernel) or 0.0)
    chapters = [Chapter(name, name, f"{name}.ipynb", ()) for name in ("one", "two", "three")]
    workers, imports, environment = runner._kernels_for(chapters, 2, 0)
    kernel_pool.prestart(workers - kernel_pool.kept(), imports, environment)
    runner.run_chapters(chapters, tmp_path, {}, jobs=2)
    assert len(used) == 3 and all(isinstance(kernel, _FakeKernel) for kernel in used)
    assert len({id(kernel) for kernel in used}) <= 2
