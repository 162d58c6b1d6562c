"""The particle snapshot viewer: self-contained HTML, one frame per view, periodic images give the same
picture, bad input is refused."""

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from scaledyn import snapshot

FRAME = re.compile(r'frames\[(\d+)\] = "data:image/jpeg;base64,([^"]+)"')


def _config(n=300, dim=3, seed=0):
    rng = np.random.default_rng(seed)
    box = np.full(dim, 7.0)
    return (rng.random((n, dim)) * box).astype(np.float32), box, rng.integers(0, 2, n).astype(np.int8)


def frames_of(html: str) -> list[np.ndarray]:
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"), dtype=float)
            for _, data in sorted(FRAME.findall(html), key=lambda m: int(m[0]))]


def test_3d_snapshot_is_a_self_contained_turning_view():
    pos, box, types = _config()
    html = snapshot.snapshot_animation(pos, box, types, frames=6, dpi=40)
    assert not re.search(r"<script[^>]*\bsrc=|<link[^>]*\bhref=|<img[^>]*src=\"http", html), "remote resources"
    frames = frames_of(html)
    assert len(frames) == 6 and frames[0].shape == (192, 192, 3)  # 4.8 in x 40 dpi
    # Particles are drawn (not a blank frame), in both species' colours, and the view turns.
    assert (frames[0].mean(axis=2) < 200).mean() > 0.05
    blue, orange = np.array([0, 114, 178]), np.array([213, 94, 0])  # PALETTE[0], PALETTE[1]
    near = lambda img, c: (np.abs(img - c).sum(axis=2) < 60).mean()  # noqa: E731
    assert near(frames[0], blue) > 0.005 and near(frames[0], orange) > 0.005
    assert np.abs(frames[0] - frames[2]).mean() > 1.0, "successive views are identical: the camera does not turn"


def test_periodic_images_give_the_same_picture():
    pos, box, types = _config(n=200, seed=1)
    shifted = pos + box * np.array([1, -2, 3], dtype=np.float32)
    a = frames_of(snapshot.snapshot_animation(pos, box, types, frames=1, dpi=40))
    b = frames_of(snapshot.snapshot_animation(shifted, box, types, frames=1, dpi=40))
    assert np.abs(a[0] - b[0]).mean() < 1.0
    np.testing.assert_allclose(snapshot.wrap(np.array([[-0.5, 7.5]]), np.array([7.0, 7.0])), [[6.5, 0.5]])


def test_2d_snapshot_is_one_frame():
    pos, box, types = _config(n=200, dim=2)
    frames = frames_of(snapshot.snapshot_animation(pos, box, types, frames=10, dpi=40))
    assert len(frames) == 1 and (frames[0].mean(axis=2) < 200).mean() > 0.05


@pytest.mark.parametrize("change, match", [
    (dict(positions=np.zeros((5, 4))), "positions"),
    (dict(positions=np.full((5, 3), np.nan)), "positions"),
    (dict(box=np.array([1.0, -1.0, 1.0])), "box"),
    (dict(box=np.ones(2)), "box"),
    (dict(types=np.zeros(4, dtype=int)), "types"),
    (dict(types=-np.ones(5, dtype=int)), "types"),
    (dict(frames=0), "frames"),
])
def test_bad_input_is_refused_by_name(change, match):
    args = dict(positions=np.ones((5, 3)), box=np.ones(3) * 3, types=np.zeros(5, dtype=int), frames=2)
    args.update(change)
    with pytest.raises((ValueError, TypeError), match=match):
        snapshot.snapshot_animation(args.pop("positions"), args.pop("box"), args.pop("types"), **args)
