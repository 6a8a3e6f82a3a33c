"""The reading of the legs: PoseFrames -> per-leg angles from the neutral.

One reading serves review (whole recordings) and live (frame by frame).
Its modules, in pipeline order:

- ``geometry``: landmarks -> femur, foot and twist angles of one frame.
- ``filters``: One Euro, spike and zero-phase smoothing; the jitter measure.
- ``position``: is each leg in the drill's position (the counting gate).
- ``series``: a recording's angles over time (``angle_series``) and the
  per-frame samples the rep counter takes.
- ``neutral``: the person's neutral, its one owner (still periods, rests),
  and readings turned into degrees from it.
- ``foot``: the foot's image angle fitted onto femur degrees.
- ``judgements``: jitter, flat and motionless legs, hold bands and rep
  excursions: how each leg is counted.
- ``size``: each leg's length in the picture: the "too far" check.
- ``live``: all of the above one frame at a time (``LiveAngles.update``).

Pure numpy: no I/O, no clock, no mediapipe.
"""
