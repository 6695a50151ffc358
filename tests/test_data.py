"""Data generators: seeded, and their exact laws agree with closed forms and with samples."""

import numpy as np
import pytest

import flatproof as fp
from flatproof.measures.population import bayes_error, expect_on_pieces


def test_generators_are_reproducible_by_seed():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("2*x"), flip=0.1)
    a = task.sample(100, np.random.default_rng(5))
    b = task.sample(100, np.random.default_rng(5))
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    mi = fp.MultiIndexTask.random(6, 2, lambda t: np.maximum(t, 0), 0.1, np.random.default_rng(1))
    assert np.array_equal(mi.sample(10, np.random.default_rng(2)).X, mi.sample(10, np.random.default_rng(2)).X)


@pytest.mark.parametrize("a", [1.0, 4.0])
def test_bayes_error_matches_closed_form(a):
    # x ~ U[0, 1], g*(x) = a x: Bayes error = ∫_0^1 s(−a x) dx = 1 − (log(1 + e^a) − log 2)/a
    task = fp.LogisticTask(fp.uniform(0, 1), fp.parse_expression(f"{a}*x"))
    closed = 1 - (np.log1p(np.exp(a)) - np.log(2)) / a
    value, error = bayes_error(task)
    assert value == pytest.approx(closed, rel=1e-10) and error < 1e-10


def test_flips_mix_the_conditional_law():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("3*x"), flip=0.2)
    x = np.array([-0.5, 0.0, 0.7])
    s = 1 / (1 + np.exp(-3 * x))
    assert np.allclose(task.prob_positive(x), 0.8 * s + 0.2 * (1 - s))


def test_sampled_labels_follow_the_law():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("3*x"), flip=0.1)
    data = task.sample(40000, np.random.default_rng(0))
    expected = float(expect_on_pieces(task, lambda x: task.prob_positive(x)[None, :], [])[0][0])   # P(y = 1)
    assert abs(np.mean(data.y == 1) - expected) <= 4 * np.sqrt(0.25 / 40000)


def test_multi_index_target_and_noise():
    task = fp.MultiIndexTask.random(8, 2, lambda t: np.maximum(t, 0), 0.3, np.random.default_rng(4))
    assert np.allclose(task.U.T @ task.U, np.eye(2), atol=1e-12)
    data = task.sample(20000, np.random.default_rng(1))
    resid = data.y - task.target(data.X)
    assert np.std(resid) == pytest.approx(0.3, rel=0.03)


def test_laws_and_bad_parameters():
    assert fp.normal(0, 2).support == (-np.inf, np.inf)
    assert fp.truncated_normal(0, 1, -1, 2).support == (-1.0, 2.0)
    for bad in (lambda: fp.uniform(1, 0), lambda: fp.normal(0, -1), lambda: fp.LogisticTask(
            fp.uniform(), fp.parse_expression("x"), flip=0.7)):
        with pytest.raises(fp.InputError):
            bad()


def test_non_finite_target_logit_is_an_error_not_a_silent_label():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("log(x)"))
    with pytest.raises(fp.InputError, match="logit.*not finite"):
        task.sample(50, np.random.default_rng(0))
