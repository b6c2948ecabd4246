"""The installed environment has the pieces photolab depends on, in the builds it needs."""

from __future__ import annotations

import importlib.metadata

import numpy as np


def test_opencv_has_contrib_face_detector_and_dnn() -> None:
    import cv2

    assert hasattr(cv2, "FaceDetectorYN"), "OpenCV without contrib: reinstall with scripts/install.sh"
    net = cv2.dnn.blobFromImage(np.zeros((8, 8, 3), np.uint8))
    assert net.shape == (1, 3, 8, 8)


def test_exactly_one_opencv_wheel_claims_cv2() -> None:
    wheels = {
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
    }
    installed = {d.metadata["Name"].lower() for d in importlib.metadata.distributions()} & wheels
    assert installed == {"opencv-contrib-python-headless"}, installed


def test_mediapipe_tasks_and_rapidocr_import() -> None:
    from mediapipe.tasks.python import vision
    from rapidocr import RapidOCR

    assert vision.FaceDetector and vision.ImageSegmenter and RapidOCR
