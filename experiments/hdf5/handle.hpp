#pragma once
// Owning handle of one HDF5 C-API identifier (file, group, dataset, dataspace, datatype, property list,
// attribute): closes it exactly once, so no identifier leaks on an exception path. Every call into the C API
// goes through check(), which turns a negative return into an exception naming what was being done.
#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace qsnn::experiments::h5 {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns `result` unless it is negative (HDF5's error convention for hid_t and herr_t alike).
template <class Result>
Result check(Result result, const std::string& what) {
  if (result < 0) throw Error("HDF5: cannot " + what);
  return result;
}

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer, const std::string& what) : id_(check(id, what)), closer_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Closes now and reports a failure (the destructor cannot).
  void close(const std::string& what) {
    if (!valid()) return;
    const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
    check(status, what);
  }

 private:
  void reset() noexcept {
    if (valid()) closer_(std::exchange(id_, H5I_INVALID_HID));
  }

  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

inline Handle file_handle(hid_t id, const std::string& what) { return {id, H5Fclose, what}; }
inline Handle group_handle(hid_t id, const std::string& what) { return {id, H5Gclose, what}; }
inline Handle dataset_handle(hid_t id, const std::string& what) { return {id, H5Dclose, what}; }
inline Handle dataspace_handle(hid_t id, const std::string& what) { return {id, H5Sclose, what}; }
inline Handle datatype_handle(hid_t id, const std::string& what) { return {id, H5Tclose, what}; }
inline Handle property_handle(hid_t id, const std::string& what) { return {id, H5Pclose, what}; }
inline Handle attribute_handle(hid_t id, const std::string& what) { return {id, H5Aclose, what}; }

}  // namespace qsnn::experiments::h5
