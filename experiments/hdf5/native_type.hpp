#pragma once
// The HDF5 memory type of a C++ arithmetic type, and the variable-length UTF-8 string type (h5py 3 reads it
// back as str, not bytes: ../shared/reference/results-sweeps-notebooks.md §1.3).
#include <hdf5.h>

#include <cstdint>
#include <type_traits>

#include "experiments/hdf5/handle.hpp"

namespace qsnn::experiments::h5 {

template <class T>
hid_t native_type() {
  if constexpr (std::is_same_v<T, std::int8_t>) return H5T_NATIVE_INT8;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_NATIVE_UINT8;
  else if constexpr (std::is_same_v<T, std::int16_t>) return H5T_NATIVE_INT16;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return H5T_NATIVE_UINT16;
  else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
  else static_assert(!sizeof(T), "no HDF5 type for this C++ type");
}

inline Handle utf8_string_type() {
  Handle type = datatype_handle(H5Tcopy(H5T_C_S1), "copy the string type");
  check(H5Tset_size(type.id(), H5T_VARIABLE), "make a variable-length string type");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "set the UTF-8 character set");
  return type;
}

}  // namespace qsnn::experiments::h5
