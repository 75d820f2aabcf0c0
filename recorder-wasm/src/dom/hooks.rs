//! Wrapping page APIs (CSSOM methods, form field setters) so changes made
//! from script, which fire no DOM event, are still recorded.
//!
//! The wrappers call the original first and the recorder after, inside a
//! try/catch, so the page sees the original behaviour and return value even
//! if recording fails. Dropping a [`Hook`] puts the original back, unless
//! someone else wrapped it since (then the wrapper stays, inert once the
//! recorder's callback is gone).

use js_sys::{Array, Function, Object};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::failure;

#[wasm_bindgen(inline_js = "
export function hook_method(proto, name, callback) {
  const original = proto && proto[name];
  if (typeof original !== 'function') return null;
  const state = { callback };
  const wrapped = function (...args) {
    const result = original.apply(this, args);
    if (state.callback) { try { state.callback(this, args, result); } catch (_) {} }
    return result;
  };
  proto[name] = wrapped;
  return () => { state.callback = null; if (proto[name] === wrapped) proto[name] = original; };
}
export function hook_setter(proto, name, callback) {
  const descriptor = proto && Object.getOwnPropertyDescriptor(proto, name);
  if (!descriptor || typeof descriptor.set !== 'function') return null;
  const state = { callback };
  const wrapped = {
    ...descriptor,
    set(value) {
      descriptor.set.call(this, value);
      if (state.callback) { try { state.callback(this, [value], undefined); } catch (_) {} }
    },
  };
  Object.defineProperty(proto, name, wrapped);
  return () => { state.callback = null; Object.defineProperty(proto, name, descriptor); };
}
")]
extern "C" {
    fn hook_method(proto: &JsValue, name: &str, callback: &Function) -> JsValue;
    fn hook_setter(proto: &JsValue, name: &str, callback: &Function) -> JsValue;
}

/// What a hook's callback receives: the object the method or setter was
/// called on, its arguments, and the method's return value.
pub type HookCallback = dyn FnMut(JsValue, Array, JsValue);

/// An installed wrapper; dropping it restores the original.
#[must_use = "the hook is removed as soon as the handle is dropped"]
pub struct Hook {
    restore: Function,
    _callback: Closure<HookCallback>,
}

impl Hook {
    /// Wraps the method `name` of `proto`. `None` when the browser lacks it.
    pub fn method(
        proto: &JsValue,
        name: &str,
        callback: impl FnMut(JsValue, Array, JsValue) + 'static,
    ) -> Option<Self> {
        Self::install(proto, name, callback, hook_method)
    }

    /// Wraps the setter of the accessor property `name` of `proto`.
    pub fn setter(
        proto: &JsValue,
        name: &str,
        callback: impl FnMut(JsValue, Array, JsValue) + 'static,
    ) -> Option<Self> {
        Self::install(proto, name, callback, hook_setter)
    }

    fn install(
        proto: &JsValue,
        name: &str,
        mut callback: impl FnMut(JsValue, Array, JsValue) + 'static,
        installer: fn(&JsValue, &str, &Function) -> JsValue,
    ) -> Option<Self> {
        let closure =
            Closure::<HookCallback>::new(move |this: JsValue, args: Array, result: JsValue| {
                if !failure::has_failed() {
                    callback(this, args, result);
                }
            });
        let restore = installer(proto, name, closure.as_ref().unchecked_ref());
        let restore = restore.dyn_into::<Function>().ok()?;
        Some(Self {
            restore,
            _callback: closure,
        })
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        let _ = self.restore.call0(&JsValue::NULL);
    }
}

/// The prototype of the constructor `name` (`"CSSStyleSheet"`, …) in the
/// realm of `global` (a window: each iframe has its own prototypes), if
/// the browser has it.
pub fn prototype_of(global: &JsValue, name: &str) -> Option<JsValue> {
    let constructor = js_sys::Reflect::get(global, &name.into()).ok()?;
    let prototype = js_sys::Reflect::get(&constructor, &"prototype".into()).ok()?;
    prototype
        .is_object()
        .then(|| prototype.unchecked_into::<Object>().into())
}
