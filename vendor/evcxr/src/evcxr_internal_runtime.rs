// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

// This file is both a module of evcxr and is included via include_str! then
// built as a crate itself. The latter is the primary use-case. It's included as
// a submodule only so that constants can be shared.

pub const VARIABLE_CHANGED_TYPE: &str = "EVCXR_VARIABLE_CHANGED_TYPE:";
pub const USER_ERROR_OCCURRED: &str = "EVCXR_ERROR_OCCURRED";
/// nn-kernel patch: `EVCXR_VARIABLE_TYPE:name:type` — the type of a new
/// variable, as the compiler inferred it (`std::any::type_name`).
pub const VARIABLE_TYPE: &str = "EVCXR_VARIABLE_TYPE:";

// nn-kernel patch: the store's work is done by non-generic methods; the
// generic ones, which a cell instantiates per variable type, are one-liners
// around them. A cell then compiles only those one-liners, and none of the
// `HashMap` code, when the store is compiled once in a dependency (see
// `EvalContext::set_variable_store_path`).
pub struct VariableStore {
    variables: std::collections::HashMap<String, Box<dyn std::any::Any + 'static>>,
}

impl VariableStore {
    pub fn new() -> VariableStore {
        VariableStore {
            variables: std::collections::HashMap::new(),
        }
    }

    #[inline]
    pub fn put_variable<T: 'static>(&mut self, name: &str, value: T) {
        self.put_boxed(name, Box::new(value));
    }

    /// nn-kernel patch: stores a variable the cell defined and reports its
    /// type as the compiler inferred it, for the cells that load it later.
    #[inline]
    pub fn put_new_variable<T: 'static>(&mut self, name: &str, value: T) {
        self.put_boxed(name, Box::new(value));
        self.report_type(name, std::any::type_name::<T>());
    }

    #[inline]
    pub fn check_variable<T: 'static>(&mut self, name: &str) -> bool {
        self.check_type(name, std::any::TypeId::of::<T>())
    }

    #[inline]
    pub fn take_variable<T: 'static>(&mut self, name: &str) -> T {
        match self.take_boxed(name).downcast() {
            Ok(value) => *value,
            // Shouldn't happen so long as check_variable was called.
            Err(_) => panic!("Variable changed type"),
        }
    }

    pub fn put_boxed(&mut self, name: &str, value: Box<dyn std::any::Any + 'static>) {
        self.variables.insert(name.to_owned(), value);
    }

    pub fn take_boxed(&mut self, name: &str) -> Box<dyn std::any::Any + 'static> {
        match self.variables.remove(name) {
            Some(v) => v,
            None => panic!("Variable '{name}' has gone missing"),
        }
    }

    pub fn check_type(&mut self, name: &str, expected: std::any::TypeId) -> bool {
        if let Some(v) = self.variables.get(name)
            && (**v).type_id() != expected
        {
            eprintln!("The type of the variable {name} was redefined, so was lost.",);
            println!("{VARIABLE_CHANGED_TYPE}{name}");
            return false;
        }
        true
    }

    pub fn report_type(&self, name: &str, type_name: &str) {
        if type_name.contains("{{closure}}") {
            eprintln!(
                "note: `{name}` is a closure, which later cells cannot use: to keep it, box \
                 it, e.g. `let {name}: Box<dyn Fn(f32) -> f32> = Box::new(|x| x * 2.0);`"
            );
        }
        println!("{VARIABLE_TYPE}{name}:{type_name}");
    }

    pub fn lazy_arc<T: 'static, F: FnOnce() -> T>(
        &mut self,
        name: &str,
        create: F,
    ) -> std::sync::Arc<T> {
        if let Some(value) = self
            .variables
            .entry(name.to_owned())
            .or_insert_with(|| Box::new(std::sync::Arc::new(create())))
            .downcast_mut()
        {
            std::sync::Arc::clone(value)
        } else {
            panic!("lazy_arc {name} changed type");
        }
    }

    pub fn merge(&mut self, mut other: VariableStore) {
        self.variables.extend(other.variables.drain());
    }
}

/// nn-kernel patch: runs a cell's code, catching a panic (`true` if there was
/// one). Not generic, so that a cell does not compile `catch_unwind` for
/// its own closure when the store is compiled once in a dependency.
pub fn catch_panic(cell: Box<dyn FnOnce() + '_>) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(cell)).is_err()
}

pub fn create_variable_store() -> *mut VariableStore {
    Box::into_raw(Box::new(VariableStore::new()))
}
