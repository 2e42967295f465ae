"""The jupyter_kernel_test conformance suite against the installed `rust-nn` kernel."""

from __future__ import annotations

import unittest

import jupyter_kernel_test
from harness import KERNEL_NAME, STARTUP_TIMEOUT


class RustNnKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("something on stderr");'

    completion_samples = [
        {"text": "let zebra_count = 1;\nzebra_c", "matches": {"zebra_count"}},
        {"text": "std::collections::HashM"},
    ]
    complete_code_samples = ["1 + 1", "fn f() -> i32 {\n    1\n}", "let v = vec![1, 2];", ":vars"]
    incomplete_code_samples = ["fn f() {", "let v = vec![1,", "let s = \"open"]
    invalid_code_samples = ["}", "fn f() { )"]

    code_generate_error = 'panic!("this cell fails")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"text".len()', "result": "4"},
        {"code": "tensor![[1.0, -1.0]]", "result": "tensor([[ 1., -1.]])"},
    ]
    code_display_data = [
        {"code": 'display(&"shown mid-cell");', "mime": "text/plain"},
        {"code": 'display(&MimeBundle::new("x").with_html("<b>x</b>"));', "mime": "text/html"},
    ]

    code_history_pattern = "6 *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Vec::new"
    code_clear_output = "clear_output(false);"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # The suite's own timeouts are 15 s; wait out the kernel's start-up
        # (evcxr, nn-core) here first.
        msg_id = cls.kc.execute("1 + 1")
        while True:
            reply = cls.kc.get_shell_msg(timeout=STARTUP_TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert reply["content"]["status"] == "ok", reply["content"]


if __name__ == "__main__":
    unittest.main()
