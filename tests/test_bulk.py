"""Bulk work collects garbage less often, and the usual rhythm comes back after (heatmap.bulk)."""
import gc
import threading

from heatmap.bulk import BULK_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_while_bulk_work_runs_and_restored_after():
    usual = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == BULK_THRESHOLDS
        with fewer_collections():  # nested: an upload's commit inside a command-line import
            assert gc.get_threshold() == BULK_THRESHOLDS
        assert gc.get_threshold() == BULK_THRESHOLDS
    assert gc.get_threshold() == usual


def test_overlapping_jobs_restore_the_usual_thresholds_once_all_have_ended():
    usual = gc.get_threshold()
    first_inside, second_done = threading.Event(), threading.Event()

    def first():
        with fewer_collections():
            first_inside.set()
            second_done.wait(10)

    worker = threading.Thread(target=first)
    worker.start()
    first_inside.wait(10)
    with fewer_collections():
        pass
    assert gc.get_threshold() == BULK_THRESHOLDS  # the first job still runs
    second_done.set()
    worker.join(10)
    assert gc.get_threshold() == usual


def test_an_error_inside_still_restores_the_thresholds():
    usual = gc.get_threshold()

    @fewer_collections()
    def failing():
        raise ValueError("bad file")

    try:
        failing()
    except ValueError:
        pass
    assert gc.get_threshold() == usual
