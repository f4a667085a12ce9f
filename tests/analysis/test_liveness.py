"""Face liveness: the pose measure on plain values, and the decision on camera frames drawn
from the portraits (real dlib models)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from openkyc.analysis import (
    Engines,
    LivenessFrame,
    UnsupportedInput,
    check_liveness,
    pose_of,
)
from tests.analysis import poses

CHALLENGE = ["centre", "turn-left", "tilt-right", "turn-right"]
FRONTAL = [(60.0, 50.0), (50.0, 50.0), (-60.0, 50.0), (-50.0, 50.0), (0.0, 90.0)]


def frames(items: list[tuple[bytes, int]]) -> list[LivenessFrame]:
    return [LivenessFrame(data, step) for data, step in items]


def test_a_frontal_face_has_no_yaw_and_no_roll() -> None:
    assert pose_of(FRONTAL) == (0.0, 0.0)


def test_yaw_is_the_noses_offset_in_inter_eye_distances() -> None:
    turned = [*FRONTAL[:4], (22.0, 90.0)]  # eyes 110 px apart, nose 22 px to the right
    yaw, roll = pose_of(turned)
    assert (round(yaw, 3), roll) == (0.2, 0.0)


def test_roll_is_the_angle_of_the_eye_line_and_leaves_yaw_alone() -> None:
    angle = math.radians(15)
    rotate = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    rolled = [tuple(rotate @ np.array(p)) for p in [*FRONTAL[:4], (22.0, 90.0)]]
    yaw, roll = pose_of(rolled)  # type: ignore[arg-type]
    assert (round(yaw, 3), round(roll, 3)) == (0.2, 15.0)


def test_a_pose_needs_five_landmarks() -> None:
    with pytest.raises(UnsupportedInput):
        pose_of(FRONTAL[:4])


def test_the_challenge_must_start_facing_the_camera(engines: Engines) -> None:
    with pytest.raises(UnsupportedInput):
        check_liveness([], ["turn-left", "centre"], engines)
    with pytest.raises(UnsupportedInput):
        check_liveness([LivenessFrame(b"", 3)], ["centre", "turn-left"], engines)


def test_a_customer_who_follows_the_challenge_passes(engines: Engines) -> None:
    result = check_liveness(frames(poses.sequence("collins", CHALLENGE, 2)), CHALLENGE, engines)
    assert (result.passed, result.reason) == (True, None), result.to_dict()
    assert result.reference_index in (0, 1)
    assert len(result.poses) == 8 and all(p.faces == 1 for p in result.poses)
    turned = [p.yaw for p in result.poses if p.step == 1]
    assert all(yaw is not None and yaw > 0.15 for yaw in turned)


def test_poses_in_the_wrong_order_do_not_meet_the_challenge(engines: Engines) -> None:
    performed = ["centre", "turn-right", "tilt-right", "turn-left"]
    result = check_liveness(frames(poses.sequence("collins", performed, 2)), CHALLENGE, engines)
    assert (result.passed, result.reason, result.failed_step) == (False, "challenge-not-met", 1)


def test_a_still_picture_sent_as_video_is_refused(engines: Engines) -> None:
    still = poses.jpeg(poses.posed("collins", "centre"))
    result = check_liveness(frames([(still, step) for step in (0, 0, 1, 2, 3)]), CHALLENGE, engines)
    assert (result.passed, result.reason) == (False, "still-image")


def test_a_flat_photo_turned_in_front_of_the_camera_is_not_a_turned_head(
    engines: Engines,
) -> None:
    centre = poses.jpeg(poses.posed("collins", "centre"))
    left = poses.jpeg(poses.flat_photo_turned("collins", -40))
    tilt = poses.jpeg(poses.posed("collins", "tilt-right"))
    right = poses.jpeg(poses.flat_photo_turned("collins", 40))
    items = [(centre, 0), (left, 1), (tilt, 2), (right, 3)]
    result = check_liveness(frames(items), CHALLENGE, engines)
    assert (result.passed, result.reason, result.failed_step) == (False, "challenge-not-met", 1)
    assert result.poses[1].yaw is not None and abs(result.poses[1].yaw) < 0.15


def test_another_person_during_the_challenge_is_refused(engines: Engines) -> None:
    items = [
        *poses.sequence("collins", CHALLENGE[:2], 1),
        (poses.jpeg(poses.posed("hopper", "tilt-right")), 2),
        (poses.jpeg(poses.posed("collins", "turn-right")), 3),
    ]
    result = check_liveness(frames(items), CHALLENGE, engines)
    assert (result.passed, result.reason) == (False, "different-person")
    assert result.poses[2].distance is not None and result.poses[2].distance > 0.6


def test_a_step_without_a_face_is_refused(engines: Engines) -> None:
    empty = poses.jpeg(Image.new("RGB", poses.FRAME, (112, 104, 96)))
    items = [*poses.sequence("collins", CHALLENGE[:2], 1), (empty, 2), (empty, 3)]
    result = check_liveness(frames(items), CHALLENGE, engines)
    assert (result.passed, result.reason, result.failed_step) == (False, "face-not-seen", 2)
