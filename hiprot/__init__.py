"""hiprot: a webcam coach for the "leg rotations on the wall" hip drill.

The pipeline, one module per stage (``hiprot review`` wires it for a whole
recording, ``hiprot live`` frame by frame)::

    from hiprot.capture import open_video
    from hiprot.pose import PoseEstimator
    from hiprot.reading.live import LiveAngles
    from hiprot.bilateral import BilateralCounter

    angles, counter = LiveAngles(), BilateralCounter("both")
    with open_video("set.mp4") as frames, PoseEstimator() as estimator:
        for pose_frame in estimator.track(frames):         # Frame -> PoseFrame
            reading = angles.update(pose_frame)            # PoseFrame -> LiveReading
            for event in counter.update(reading.relative): # AngleSample -> RepEvents
                print(event.kind, event.leg, event.t_s)
"""

__version__ = "0.1.0"
