"""The light runtime: the models as ONNX files run by ONNX Runtime, with NumPy for the rest (no torch)."""
