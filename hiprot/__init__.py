"""hiprot: a webcam coach for the "leg rotations on the wall" hip drill.

The pipeline, one module per stage::

    from hiprot import capture, pose, angles, reps
    with capture.open_source("set.mp4") as frames, pose.PoseEstimator() as estimator:
        for pose_frame in estimator.track(frames):       # Frame -> PoseFrame
            sample = analyser.update(pose_frame)          # PoseFrame -> AngleSample
            events = counter.update(sample)               # AngleSample -> [RepEvent]

``hiprot review``, ``hiprot live`` and ``hiprot extract`` wire these stages
together (``hiprot/cli.py``).
"""

__version__ = "0.1.0"
