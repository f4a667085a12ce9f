"""An organization's AML settings: confidence by what matched, priority by source type."""
